// `npm run serve -- [--port 8080] [--host 127.0.0.1] [--database DIR|postgres://…] [--test-clock ISO] [--test-hooks]
//                   [--rate-limit N|off] [--token-file PATH]
//                   [--registrar [--registrar-dir DIR] [--registrar-port N] [--registrar-account ACC] [--trunk HOST:PORT]]`
// Serves the provisioning API. On first start with the embedded store it creates a demo account and writes its
// token to a file only this user can read. Prints a JSON line {"url","port","tokenFile"} on stdout when ready
// (logs are JSON lines on stdout as well; the ready line is the one with url and tokenFile). With --registrar it
// also starts and supervises Kamailio on loopback, publishes every applied revision to it, and the ready line carries
// `registrar: {host, port, transport}`; when Kamailio is not installed it says which Debian packages to install.
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { startBackend } from "../server.ts";
import { storeFrom } from "./options.ts";

const DEFAULT_REGISTRAR_DIR = ".pbx-estate/registrar";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "8080" },
    host: { type: "string", default: "127.0.0.1" },
    database: { type: "string" },
    "test-clock": { type: "string" },
    "test-hooks": { type: "boolean", default: false },
    "rate-limit": { type: "string" },
    "token-file": { type: "string" },
    "log-level": { type: "string", default: "info" },
    registrar: { type: "boolean", default: false },
    "registrar-dir": { type: "string" },
    "registrar-port": { type: "string" },
    "registrar-account": { type: "string" },
    trunk: { type: "string" },
  },
});

const store = storeFrom(values.database);
const tokenFile = values["token-file"] ?? (store.kind === "embedded" && store.dataDir !== null ? resolve(store.dataDir, "..", "demo-token") : undefined);
const rate = values["rate-limit"];
const clockStart = values["test-clock"] === undefined ? undefined : new Date(values["test-clock"]);
if (clockStart !== undefined && Number.isNaN(clockStart.getTime())) throw new Error(`--test-clock must be an ISO instant, got ${values["test-clock"]}`);

const trunk = values.trunk === undefined ? undefined : /^([^:]+):(\d+)$/.exec(values.trunk);
if (trunk === null) throw new Error(`--trunk must be HOST:PORT, got ${values.trunk}`);
const registrarDir = resolve(values["registrar-dir"] ?? (store.kind === "embedded" && store.dataDir !== null ? resolve(store.dataDir, "..", "registrar") : DEFAULT_REGISTRAR_DIR));

try {
  const backend = await startBackend({
    store,
    port: Number(values.port),
    host: values.host,
    ...(clockStart ? { clockStart } : {}),
    testHooks: values["test-hooks"] || clockStart !== undefined,
    rateLimit: rate === "off" ? null : rate === undefined ? undefined : { perSecond: Number(rate), burst: Number(rate) * 5 },
    logLevel: values["log-level"],
    ...(tokenFile !== undefined ? { demoTokenFile: tokenFile } : {}),
    ...(values.registrar
      ? {
          registrar: {
            dataDir: registrarDir,
            ...(values["registrar-port"] !== undefined ? { port: Number(values["registrar-port"]) } : {}),
            ...(values["registrar-account"] !== undefined ? { accountId: values["registrar-account"] } : {}),
            ...(trunk ? { trunk: { host: trunk[1] ?? "127.0.0.1", port: Number(trunk[2]) } } : {}),
          },
        }
      : {}),
  });
  const sip = backend.registrar && { host: backend.registrar.host, port: backend.registrar.port, transport: backend.registrar.transport };
  process.stdout.write(`${JSON.stringify({ url: backend.url, port: backend.port, tokenFile: tokenFile ?? null, registrar: sip })}\n`);
  if (sip) process.stderr.write(`SIP registrar (Kamailio): ${sip.transport}:${sip.host}:${sip.port}, data in ${registrarDir}\n`);
  if (tokenFile !== undefined) process.stderr.write(`demo account token: ${tokenFile} (mode 0600)\n`);
  const stop = (): void => {
    void backend.stop().then(() => process.exit(0));
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
} catch (e) {
  // RegistrarNotInstalledError's message names the Debian packages to install.
  process.stderr.write(`serve: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
