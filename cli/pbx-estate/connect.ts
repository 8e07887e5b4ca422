/**
 * What every engine command starts from: the estate loaded from its files, the backend's account and
 * catalogue (which also proves the endpoint answers and the token is good), and what the estate's stack
 * recorded, refused when its objects belong to another account. The stack is opened on the Pulumi engine
 * only when a command first asks for it: on a folder backend the read path never does (loading the
 * Automation API and starting the engine's CLI cost seconds a run).
 */
import type { Whoami } from "../../schemas/account.ts";
import type { Catalogue } from "../../schemas/catalogue.ts";
import type { ResolvedEstate } from "../../schemas/estate.ts";
import type { EstateAdoption } from "../../sdk/estate-resources.ts";
import { ESTATE_PROJECT } from "../../estate/program/project.ts";
import { BackendApi, backendCredentials } from "./backend-api.ts";
import type { EngineSession, EngineTarget } from "./engine-session.ts";
import { estateFrom } from "./estate-input.ts";
import { CliError } from "./errors.ts";
import type { Io } from "./io.ts";
import { recordedAccounts, recordedDeployment, type Deployment } from "./read-path/recorded-state.ts";
import { noStateMessage, resolveStateLocation } from "./state-location.ts";

/** The options every engine command takes (`parseArgs` config). */
export const connectionOptions = {
  stack: { type: "string" },
  "backend-url": { type: "string" },
  endpoint: { type: "string" },
} as const;

export const connectionHelp = `  --stack <name>        stack name (default: the estate's metadata.name)
  --backend-url <url>   Pulumi state backend (default: PULUMI_BACKEND_URL, else .pbx-estate/state here)
  --endpoint <url>      provisioning backend (default: PBX_ENDPOINT); the token is read from PBX_TOKEN only;
                        one read may take PBX_READ_TIMEOUT seconds (default 20), one write
                        PBX_WRITE_TIMEOUT (default 60), retries included`;

export interface ConnectionValues {
  stack?: string | undefined;
  "backend-url"?: string | undefined;
  endpoint?: string | undefined;
}

export interface Connection extends AsyncDisposable {
  estate: ResolvedEstate;
  api: BackendApi;
  account: Whoami;
  catalogue: Catalogue;
  /** The estate's stack: its name, state location, the backend's credentials and what its keys adopt. */
  target: EngineTarget;
  /** What the stack recorded when the command started (empty before the first apply). */
  recorded: Deployment;
  /** The stack on the Pulumi engine, opened on first use and closed with the connection. */
  engine(): Promise<EngineSession>;
}

export interface ConnectOptions {
  mustExist: boolean;
  /** Existing objects the estate's keys take over (export's adopting apply). */
  adopt?: EstateAdoption;
}

export async function connect(
  paths: readonly string[],
  values: ConnectionValues,
  io: Io,
  options: ConnectOptions,
): Promise<Connection> {
  const estate = await estateFrom(paths);
  const endpoint = values.endpoint ?? io.env.PBX_ENDPOINT;
  const token = io.env.PBX_TOKEN;
  if (!endpoint || !token) {
    throw new CliError(
      `set ${[endpoint ? "" : "PBX_ENDPOINT (or --endpoint)", token ? "" : "PBX_TOKEN"].filter(Boolean).join(" and ")}: ` +
        "the provisioning backend's URL and an API token of its account",
    );
  }
  const credentials = backendCredentials(endpoint, token, io.env);
  const api = new BackendApi(credentials);
  let opening: Promise<EngineSession> | undefined;
  const closeEngine = async () => {
    const session = await opening?.catch(() => undefined);
    await session?.[Symbol.asyncDispose]();
  };
  try {
    const account = await api.whoami();
    const catalogue = await api.catalogue();
    const state = resolveStateLocation({ projectDir: io.cwd, backendUrl: values["backend-url"], env: io.env });
    const target: EngineTarget = {
      estate,
      stackName: values.stack ?? estate.name,
      state,
      backend: credentials,
      ...(options.adopt ? { adopt: options.adopt } : {}),
    };
    const engine = () =>
      (opening ??= import("./engine-session.ts").then(({ EngineSession }) => EngineSession.open(target, options)));
    const recorded = await recordedDeployment(state.backendUrl, ESTATE_PROJECT, target.stackName, async () =>
      (await engine()).stack.exportStack(),
    );
    if (recorded === undefined && options.mustExist) throw new CliError(noStateMessage(target.stackName, state));
    const foreign = recordedAccounts(recorded ?? {}).filter((a) => a !== account.accountId);
    if (foreign.length > 0) {
      throw new CliError(
        `the token is for account ${account.accountId} (${account.name}), but the estate's objects were made in ` +
          `account ${foreign.join(", ")}: check PBX_TOKEN. Nothing was read or changed.`,
      );
    }
    return {
      estate,
      api,
      account,
      catalogue,
      target,
      recorded: recorded ?? {},
      engine,
      [Symbol.asyncDispose]: async () => {
        await closeEngine();
        await api[Symbol.asyncDispose]();
      },
    };
  } catch (error) {
    await closeEngine();
    await api[Symbol.asyncDispose]();
    throw error;
  }
}

/** Runs `work` with a connection and closes it afterwards (Node 22 has no `await using` yet). */
export async function withConnection<T>(
  paths: readonly string[],
  values: ConnectionValues,
  io: Io,
  options: ConnectOptions,
  work: (connection: Connection) => Promise<T>,
): Promise<T> {
  const connection = await connect(paths, values, io, options);
  try {
    return await work(connection);
  } finally {
    await connection[Symbol.asyncDispose]();
  }
}
