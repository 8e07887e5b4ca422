/**
 * `npm start`: the demo. Starts the embedded provisioning backend (data in `.pbx-estate/`), applies
 * examples/small-office with the same program and engine session as `pbx-estate apply`, prints who and
 * what now exists, and keeps the backend serving until Ctrl-C (`--once` stops after printing).
 *
 * Everything it keeps lives in `.pbx-estate/`: the backend's data and demo token, and the CLI's default
 * state (a file backend) with the passphrase that encrypts its secrets, so `pbx-estate plan
 * examples/small-office` from the package folder sees the demo's stack. Running it again applies the same
 * estate (no changes).
 *
 * With the registrar and rtpengine installed, John's outbound calls are recorded (the small office enables his
 * recording) and mailed: through the SMTP relay `serve` would use (PBX_SMTP_URL etc.), or else to a local SMTP
 * sink that saves each mail as an .eml file in `.pbx-estate/mail`.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { startBackend, type BackendOptions } from "../backend/server.ts";
import { RegistrarNotInstalledError } from "../registrar/index.ts";
import { describeRelay, smtpSettingsFrom, SmtpSettingsError, type SmtpSettings } from "../backend/mail/settings.ts";
import { startMailSink, type MailSink } from "./mail-sink.ts";
import { formatError, loadEstate } from "../estate/files/index.ts";
import { engineCli, packageRoot } from "../cli/engine-environment.ts";
import { removeOldDemoStack } from "./migration.ts";
import { BackendApi, backendCredentials } from "../cli/pbx-estate/backend-api.ts";
import { EngineSession } from "../cli/pbx-estate/engine-session.ts";
import { processIo } from "../cli/pbx-estate/io.ts";
import { estateSteps } from "../cli/pbx-estate/plan/steps.ts";
import { Progress } from "../cli/pbx-estate/progress.ts";
import { resolveStateLocation } from "../cli/pbx-estate/state-location.ts";

const { values } = parseArgs({
  options: {
    once: { type: "boolean", default: false },
    port: { type: "string", default: "8080" },
    // The folder whose .pbx-estate/ holds everything the demo keeps (tests run it elsewhere).
    "project-dir": { type: "string", default: packageRoot },
  },
});

const projectDir = resolve(values["project-dir"]);
const home = join(projectDir, ".pbx-estate");
const paths = {
  data: join(home, "data"), // the same store `npm run serve` uses
  token: join(home, "demo-token"),
  registrar: join(home, "registrar"), // the same folder `npm run serve -- --registrar` uses
  estate: join(packageRoot, "examples", "small-office"),
  mail: join(home, "mail"), // the local SMTP sink's .eml files, when no SMTP relay is configured
};
// The CLI's defaults for a project in the package folder; the caller's PULUMI_* settings are not used.
const state = resolveStateLocation({ projectDir, backendUrl: undefined, env: {} });

// Recorded calls are mailed through the relay `serve` would use (PBX_SMTP_URL …), or else to a local sink.
async function mailDestination(): Promise<{ smtp: SmtpSettings; sink: MailSink | null }> {
  let relay;
  try {
    relay = smtpSettingsFrom({});
  } catch (e) {
    if (!(e instanceof SmtpSettingsError)) throw e;
    console.error(`the SMTP relay's settings (PBX_SMTP_URL …): ${e.message}`);
    process.exit(1);
  }
  if (relay !== null) return { smtp: relay, sink: null };
  const sink = await startMailSink(paths.mail);
  return { smtp: sink.smtp, sink };
}
const { smtp, sink } = await mailDestination();

const backendOptions: BackendOptions = {
  store: { kind: "embedded", dataDir: paths.data },
  port: Number(values.port),
  demoTokenFile: paths.token,
  logLevel: "warn",
  mail: { smtp },
};
// A real SIP registrar (Kamailio on loopback) when it is installed; the demo works without it.
let missingRegistrar = "";
const backend = await startBackend({ ...backendOptions, registrar: { dataDir: paths.registrar } }).catch(
  (e: unknown) => {
    if (!(e instanceof RegistrarNotInstalledError)) throw e;
    missingRegistrar = e.message;
    return startBackend(backendOptions);
  },
);
const token = readFileSync(paths.token, "utf8").trim();
const credentials = backendCredentials(backend.url, token, process.env);
const api = new BackendApi(credentials);
const account = await api.whoami();
console.log(`provisioning backend: ${backend.url} (embedded store in ${paths.data})`);
console.log(
  backend.registrar
    ? `SIP registrar (Kamailio): udp:${backend.registrar.host}:${backend.registrar.port} (data in ${paths.registrar}); applied revisions are published to it`
    : `no SIP registrar (devices show a placeholder address): ${missingRegistrar}`,
);
const recording = backend.relay !== null;
if (!recording)
  console.log(
    backend.registrar
      ? "call recording: off, rtpengine (the media relay) is not installed: bash registrar/install-debian.sh installs it"
      : "call recording: off, it needs the SIP registrar",
  );
else if (sink !== null)
  console.log(
    `call recording: on; mail goes to a local SMTP sink: recorded calls are saved in ${sink.folder} as .eml files`,
  );
else {
  const relay = describeRelay(smtp);
  console.log(
    `call recording: on; mail goes through the SMTP relay ${relay.host}:${relay.port} (${relay.security}) from ${relay.from}`,
  );
}

const loaded = await loadEstate([paths.estate]);
if (!loaded.ok) throw new Error(`examples/small-office does not load:\n${loaded.errors.map(formatError).join("\n")}`);
const estate = loaded.estate;
await removeOldDemoStack(state, credentials, (line) => console.log(line));

console.log("applying examples/small-office with the Pulumi engine …");
const session = await EngineSession.open(
  { estate, stackName: estate.name, state, backend: credentials },
  { mustExist: false },
);
let events;
try {
  const progress = new Progress(processIo(), 0);
  events = await session.up({ onEvent: progress.onEvent });
  progress.finish();
} finally {
  await session[Symbol.asyncDispose]();
}
const changed = estateSteps(events).filter((s) => s.op !== "same").length;
console.log(changed === 0 ? "no changes: the estate was already applied" : `applied: ${changed} resources changed`);

const users = await api.users();
const devices = await api.devices();
await api[Symbol.asyncDispose]();

console.log(`\n${account.name}`);
for (const user of users.sort((a, b) => a.extension.localeCompare(b.extension))) {
  const recorded =
    recording && user.recording.enabled ? `  (outbound calls recorded, mailed to ${user.recording.email})` : "";
  console.log(`  ${user.extension}  ${user.name}${recorded}`);
  for (const device of devices.filter((d) => user.deviceIds.includes(d.id))) {
    const r = device.registrar;
    console.log(`         ${device.name}: SIP username ${device.sipUsername} at ${r.transport}:${r.host}:${r.port}`);
  }
}
const { binDir } = await engineCli();
const shellWord = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`; // the state URL has a "?"
const pulumiEnv = Object.entries({
  PULUMI_HOME: state.pulumiHome,
  PULUMI_BACKEND_URL: state.backendUrl,
  ...state.secretsEnv,
})
  .map(([k, v]) => `${k}=${shellWord(v)}`)
  .join(" ");
console.log(`
SIP passwords are secrets in the Pulumi state and are never printed here. To read one:
  ${pulumiEnv} ${join(binDir, "pulumi")} stack export --show-secrets -s organization/pbx-estate/${estate.name} | grep -A3 sipPassword
API token of the demo account (mode 0600): ${paths.token}`);
if (recording && backend.registrar)
  console.log(
    "To try recording: register a softphone as one of John's devices (its SIP username and password, registrar above) and call 200.",
  );

if (values.once) {
  await backend.stop();
  await sink?.close();
} else {
  console.log(`\nThe backend keeps serving at ${backend.url}; Ctrl-C stops it. Meanwhile, from ${packageRoot}:
  PBX_ENDPOINT=${backend.url} PBX_TOKEN=$(cat ${paths.token}) npx pbx-estate plan examples/small-office`);
  const stop = () =>
    void backend
      .stop()
      .then(() => sink?.close())
      .then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
