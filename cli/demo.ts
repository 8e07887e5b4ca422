/**
 * `npm start`: the demo. Starts the embedded provisioning backend (data in `.pbx-estate/`), applies the
 * small-office estate from examples/typescript with the real Pulumi engine, prints who and what now
 * exists, and keeps the backend serving until Ctrl-C (`--once` stops after printing).
 *
 * Everything it keeps lives in `.pbx-estate/`: the backend's data and demo token, the Pulumi state (a file
 * backend) and the passphrase that encrypts its secrets. Running it again updates the same estate.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { LocalWorkspace } from "@pulumi/pulumi/automation/index.js";
import { startBackend, type BackendOptions } from "../backend/server.ts";
import { RegistrarNotInstalledError } from "../registrar/index.ts";
import { TERMS_VERSION } from "../backend/catalogue/service.ts";
import { smallOffice } from "../examples/typescript/estate.ts";
import { engineCli, engineEnvironment, packageRoot } from "./engine-environment.ts";

const { values } = parseArgs({ options: { once: { type: "boolean", default: false }, port: { type: "string", default: "8080" } } });

const home = join(packageRoot, ".pbx-estate");
const paths = {
  data: join(home, "data"), // the same store `npm run serve` uses
  token: join(home, "demo-token"),
  state: join(home, "state"),
  pulumiHome: join(home, "pulumi-home"),
  passphrase: join(home, "passphrase"),
  workspace: join(home, "workspace"),
  registrar: join(home, "registrar"), // the same folder `npm run serve -- --registrar` uses
};
for (const dir of [home, paths.state, paths.pulumiHome, paths.workspace]) mkdirSync(dir, { recursive: true });
if (!existsSync(paths.passphrase)) writeFileSync(paths.passphrase, randomBytes(24).toString("base64url"), { mode: 0o600 });

const backendOptions: BackendOptions = {
  store: { kind: "embedded", dataDir: paths.data },
  port: Number(values.port),
  demoTokenFile: paths.token,
  logLevel: "warn",
};
// A real SIP registrar (Kamailio on loopback) when it is installed; the demo works without it.
let missingRegistrar = "";
const backend = await startBackend({ ...backendOptions, registrar: { dataDir: paths.registrar } }).catch((e: unknown) => {
  if (!(e instanceof RegistrarNotInstalledError)) throw e;
  missingRegistrar = e.message;
  return startBackend(backendOptions);
});
const token = readFileSync(paths.token, "utf8").trim();
const account = (await (await fetch(`${backend.url}/v1/whoami`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
  name: string;
  numbers: string[];
};
console.log(`provisioning backend: ${backend.url} (embedded store in ${paths.data})`);
console.log(
  backend.registrar
    ? `SIP registrar (Kamailio): udp:${backend.registrar.host}:${backend.registrar.port} (data in ${paths.registrar}); applied revisions are published to it`
    : `no SIP registrar (devices show a placeholder address): ${missingRegistrar}`,
);

const { command, binDir } = await engineCli();
const stack = await LocalWorkspace.createOrSelectStack(
  {
    projectName: "small-office",
    stackName: "demo",
    program: async () => smallOffice({ termsVersion: TERMS_VERSION, callerIds: [account.numbers[0]!, account.numbers[1]!] }),
  },
  {
    workDir: paths.workspace,
    pulumiCommand: command,
    projectSettings: { name: "small-office", runtime: "nodejs", backend: { url: `file://${paths.state}` } },
    envVars: {
      ...engineEnvironment({ binDir, pulumiHome: paths.pulumiHome }),
      PULUMI_BACKEND_URL: `file://${paths.state}`,
      PULUMI_CONFIG_PASSPHRASE_FILE: paths.passphrase,
      // Credentials by environment: the port may differ between runs, and nothing of it belongs in state.
      PBX_ENDPOINT: backend.url,
      PBX_TOKEN: token,
    },
  },
);

console.log("applying examples/typescript (the small office) with the Pulumi engine …");
const result = await stack.up({ onOutput: (line) => process.stdout.write(line) });
console.log(`\n${result.summary.result}: ${JSON.stringify(result.summary.resourceChanges ?? {})}`);

interface LiveUser {
  name: string;
  extension: string;
  deviceIds: string[];
}
interface LiveDevice {
  id: string;
  name: string;
  sipUsername: string;
  registrar: { host: string; port: number; transport: string };
}
const get = async <T>(path: string): Promise<T> =>
  (await (await fetch(`${backend.url}${path}`, { headers: { authorization: `Bearer ${token}` } })).json()) as T;
const users = await get<LiveUser[]>("/v1/users");
const devices = await get<LiveDevice[]>("/v1/devices");

console.log(`\n${account.name}`);
for (const user of users.sort((a, b) => a.extension.localeCompare(b.extension))) {
  console.log(`  ${user.extension}  ${user.name}`);
  for (const device of devices.filter((d) => user.deviceIds.includes(d.id))) {
    const r = device.registrar;
    console.log(`         ${device.name}: SIP username ${device.sipUsername} at ${r.transport}:${r.host}:${r.port}`);
  }
}
const pulumiEnv = `PULUMI_HOME=${paths.pulumiHome} PULUMI_BACKEND_URL=file://${paths.state} PULUMI_CONFIG_PASSPHRASE_FILE=${paths.passphrase}`;
console.log(`
SIP passwords are secrets in the Pulumi state and are never printed here. To read one:
  ${pulumiEnv} ${join(binDir, "pulumi")} stack export --show-secrets -s demo -C ${paths.workspace} | grep -A3 sipPassword
API token of the demo account (mode 0600): ${paths.token}`);

if (values.once) {
  await backend.stop();
} else {
  console.log(`\nThe backend keeps serving at ${backend.url}; Ctrl-C stops it.`);
  const stop = () => void backend.stop().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
