/**
 * What the CLI itself asks the provisioning backend (the account, the catalogue's prices, a cancelled
 * licence's date), through the one API client (api-client/), with its failures turned into CLI errors that
 * say whether the backend was unreachable, refused the token or kept throttling.
 */
import {
  ApiError,
  HttpClient,
  PbxApi,
  ReadBatcher,
  TransportError,
  type Catalogue,
  type Device,
  type Subscription,
  type User,
  type Whoami,
} from "../../api-client/index.ts";
import { timeoutMs } from "../../provider/contract.ts";
import type { PlanCheckRequest, PlanCheckResult } from "../../schemas/plan-check.ts";
import type { SubscriptionQuery } from "../../schemas/subscription.ts";
import { CliError } from "./errors.ts";

export interface BackendCredentials {
  endpoint: string;
  token: string;
  /** Total time one read or one write may take, retries included (PBX_READ_TIMEOUT, PBX_WRITE_TIMEOUT). */
  readTimeoutMs: number;
  writeTimeoutMs: number;
}

/** The backend's URL and token with the deadlines the environment sets; a bad deadline is refused. */
export function backendCredentials(endpoint: string, token: string, env: NodeJS.ProcessEnv): BackendCredentials {
  try {
    return {
      endpoint,
      token,
      readTimeoutMs: timeoutMs("read", undefined, env),
      writeTimeoutMs: timeoutMs("write", undefined, env),
    };
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error));
  }
}

export class BackendApi implements AsyncDisposable {
  private readonly api: PbxApi;
  readonly endpoint: string;

  constructor(credentials: BackendCredentials) {
    this.endpoint = credentials.endpoint;
    this.api = new PbxApi(
      new HttpClient({
        endpoint: credentials.endpoint,
        token: credentials.token,
        readDeadlineMs: credentials.readTimeoutMs,
        writeDeadlineMs: credentials.writeTimeoutMs,
        userAgent: "pbx-estate-cli",
        maxInFlight: 8,
      }),
    );
  }

  whoami(): Promise<Whoami> {
    return this.call("read the account of the token", () => this.api.whoami());
  }

  catalogue(): Promise<Catalogue> {
    return this.call("read the catalogue", () => this.api.catalogue());
  }

  /** The account's live users. */
  users(): Promise<User[]> {
    return this.call("list the users", () => this.api.users());
  }

  /** The account's live devices. */
  devices(): Promise<Device[]> {
    return this.call("list the devices", () => this.api.devices());
  }

  /** Everything an export needs: the account's live users and devices and its licences. */
  async liveObjects(): Promise<{ users: User[]; devices: Device[]; subscriptions: Subscription[] }> {
    return {
      users: await this.users(),
      devices: await this.devices(),
      subscriptions: await this.call("list the licences", () => this.api.subscriptions()),
    };
  }

  /** The licences whose client reference starts with one of `prefixes` (a stack's, see provider/references.ts). */
  async licencesReferencing(prefixes: readonly string[]): Promise<Subscription[]> {
    const lists = await Promise.all(
      [...new Set(prefixes)].map((prefix) =>
        this.call("list the licences this estate made", () =>
          this.api.subscriptions({ clientReferencePrefix: prefix }),
        ),
      ),
    );
    return lists.flat();
  }

  /** The refusals an apply of these operations would meet, checked by the backend without writing. */
  checkPlan(request: PlanCheckRequest): Promise<PlanCheckResult> {
    return this.call("check the plan against the account", () => this.api.checkPlan(request));
  }

  /** The account's licences matching `query`. */
  subscriptions(query: SubscriptionQuery): Promise<Subscription[]> {
    return this.call("list the licences", () => this.api.subscriptions(query));
  }

  /** The licences of `ids` that exist in the account, by id: read 100 at a time, not one request each. */
  async subscriptionsById(ids: readonly string[]): Promise<Map<string, Subscription>> {
    const reads = new ReadBatcher<Subscription>((chunk) =>
      this.call("read the licences", () => this.api.subscriptions({ ids: chunk.join(",") })),
    );
    const found = await Promise.all([...new Set(ids)].map((id) => reads.get(id)));
    return new Map(found.filter((s) => s !== undefined).map((s) => [s.id, s]));
  }

  private async call<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw new CliError(`could not ${what} at ${this.endpoint}: ${describeFailure(error)}`);
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.api.http.close();
  }
}

function describeFailure(error: unknown): string {
  if (error instanceof TransportError && error.timedOut)
    return `${error.message} (it may be stopped or overloaded; PBX_READ_TIMEOUT sets how long a read may take)`;
  if (error instanceof TransportError) return `${error.message} (is it running, and is PBX_ENDPOINT right?)`;
  if (error instanceof ApiError && error.status === 401) return "the token was refused (401): check PBX_TOKEN";
  if (error instanceof ApiError && error.status === 429) return "still throttled (429) after retrying; try again later";
  if (error instanceof ApiError && error.status === 503) return "unavailable (503) after retrying; try again later";
  return error instanceof Error ? error.message : String(error);
}
