/**
 * `pbx-estate-backend serve`: serves the provisioning API. On first start with the embedded store it creates a
 * demo account and writes its token to a file only this user can read. Prints a JSON line
 * {"url","port","tokenFile","registrar","version","node"} on stdout when ready (logs are JSON lines on stdout as
 * well; the ready line is the one with url and tokenFile). With --registrar it also starts and supervises
 * Kamailio on loopback and publishes every applied revision to it; when Kamailio is not installed it says which
 * Debian packages to install. With the registrar it starts the media relay (rtpengine) too when it is installed,
 * and mails recorded calls (docs/recording.md).
 */
import { resolve } from "node:path";
import { startBackend } from "../server.ts";
import { parseCommandArgs, storeFrom, UsageError, type BackendCommand } from "./options.ts";
import { keepPrivate } from "../../runtime/private-files.ts";
import { describeRelay, smtpSettingsFrom, SmtpSettingsError } from "../mail/settings.ts";

const DEFAULT_REGISTRAR_DIR = ".pbx-estate/registrar";

const help = `Usage: pbx-estate-backend serve [options]

Serves the provisioning API until SIGTERM or SIGINT (in-flight requests finish, then the store closes).
Prints one JSON line {"url","port","tokenFile","registrar","relay","version","node"} on stdout when ready.

Options:
  --port N                 port to listen on; 0 picks a free one (default 8080)
  --host HOST              address to listen on (default 127.0.0.1)
  --database DIR|URL       embedded data folder, "memory", or a postgres:// URL (default .pbx-estate/data)
  --token-file PATH        where the demo account's token is written on first start (embedded store;
                           default beside the data folder: .pbx-estate/demo-token), mode 0600
  --rate-limit N|off       requests per second per token, burst 5×N (default 100); requests with a missing
                           or refused token are limited per client address (10/s, burst 50; off with off)
  --trust-proxy            a proxy in front sets X-Forwarded-For: limit by its last entry, not the socket
  --log-level LEVEL        fatal, error, warn, info, debug, trace or silent (default info)
  --registrar              also start and supervise a Kamailio SIP registrar on loopback
  --registrar-dir DIR      the registrar's files (default beside the data folder: .pbx-estate/registrar)
  --registrar-port N       its SIP port (default: a free one, remembered in --registrar-dir)
  --registrar-account ID   the account it serves (default: the only account, remembered)
  --trunk HOST:PORT        where calls to outside numbers go
Recording (with --registrar; each option falls back to its environment variable; docs/recording.md):
  --relay-rtp-ports MIN-MAX
                           the media relay's RTP ports (default 30000-40000)         [PBX_RELAY_RTP_PORTS]
  --recording-retention-days N
                           keep delivered recordings N days (default 0: removed once their mail is
                           delivered)                                        [PBX_RECORDING_RETENTION_DAYS]
Mail (each option falls back to its environment variable; without a relay, mails wait in the outbox):
  --smtp-url URL           the SMTP relay: smtp://HOST[:PORT] (default port 587) or smtps://HOST[:PORT]
                           (implicit TLS, default port 465)                                   [PBX_SMTP_URL]
  --smtp-security MODE     starttls (smtp:// default: STARTTLS required), tls (implicit TLS) or none
                           (no TLS: a relay on loopback or a trusted network only)       [PBX_SMTP_SECURITY]
  --smtp-user USER         the relay's login                                                 [PBX_SMTP_USER]
  --smtp-password-file PATH
                           a file holding its password (or PBX_SMTP_PASSWORD; never on the command line)
                                                                                    [PBX_SMTP_PASSWORD_FILE]
  --mail-from ADDRESS      the sender address                                                [PBX_MAIL_FROM]
Test hooks (tests only; loopback addresses only; each call sends the token in a pbx-test-token header):
  --test-clock ISO         start the clock at this instant and let PUT /__test/clock move it
  --test-faults            enable fault injection: PUT /__test/faults, POST /__test/faults/release
  --test-publisher         enable PUT /__test/publisher, which holds registrar publishing
  --test-hooks-token-file PATH
                           where the hooks' token is written at start, mode 0600 (required with any hook)
  -h, --help               show this help`;

export const serveCommand: BackendCommand = {
  name: "serve",
  summary: "serve the provisioning API (and, with --registrar, a Kamailio registrar)",
  help,
  async run(argv, version) {
    const { values } = parseCommandArgs(argv, {
      port: { type: "string", default: "8080" },
      host: { type: "string", default: "127.0.0.1" },
      database: { type: "string" },
      "test-clock": { type: "string" },
      "test-faults": { type: "boolean", default: false },
      "test-publisher": { type: "boolean", default: false },
      "test-hooks-token-file": { type: "string" },
      "rate-limit": { type: "string" },
      "trust-proxy": { type: "boolean", default: false },
      "token-file": { type: "string" },
      "log-level": { type: "string", default: "info" },
      registrar: { type: "boolean", default: false },
      "registrar-dir": { type: "string" },
      "registrar-port": { type: "string" },
      "registrar-account": { type: "string" },
      trunk: { type: "string" },
      "relay-rtp-ports": { type: "string" },
      "recording-retention-days": { type: "string" },
      "smtp-url": { type: "string" },
      "smtp-security": { type: "string" },
      "smtp-user": { type: "string" },
      "smtp-password-file": { type: "string" },
      "mail-from": { type: "string" },
    });
    const store = storeFrom(values.database);
    const besideData = (name: string) =>
      store.kind === "embedded" && store.dataDir !== null ? resolve(store.dataDir, "..", name) : undefined;
    const tokenFile = values["token-file"] ?? besideData("demo-token");
    const rate = values["rate-limit"];
    const clockStart = values["test-clock"] === undefined ? undefined : new Date(values["test-clock"]);
    if (clockStart !== undefined && Number.isNaN(clockStart.getTime()))
      throw new Error(`--test-clock must be an ISO instant, got ${values["test-clock"]}`);
    const testHooks = {
      clock: clockStart !== undefined,
      faults: values["test-faults"],
      publisher: values["test-publisher"],
    };
    const hooksOn = testHooks.clock || testHooks.faults || testHooks.publisher;
    const hooksTokenFile = values["test-hooks-token-file"];
    if (hooksOn && hooksTokenFile === undefined)
      throw new UsageError(
        "test hooks need --test-hooks-token-file PATH: every /__test call must send the token written there",
      );

    const trunk = values.trunk === undefined ? undefined : /^([^:]+):(\d+)$/.exec(values.trunk);
    if (trunk === null) throw new Error(`--trunk must be HOST:PORT, got ${values.trunk}`);
    let smtp;
    try {
      smtp = smtpSettingsFrom({
        url: values["smtp-url"],
        security: values["smtp-security"],
        user: values["smtp-user"],
        passwordFile: values["smtp-password-file"],
        from: values["mail-from"],
      });
    } catch (e) {
      if (e instanceof SmtpSettingsError) throw new UsageError(e.message);
      throw e;
    }
    const recording = recordingFrom(values["relay-rtp-ports"], values["recording-retention-days"]);
    const registrarDir = resolve(values["registrar-dir"] ?? besideData("registrar") ?? DEFAULT_REGISTRAR_DIR);
    keepPrivate([
      ...(store.kind === "embedded" && store.dataDir !== null ? [store.dataDir] : []),
      ...(values.registrar ? [registrarDir] : []),
    ]);

    const backend = await startBackend({
      store,
      port: Number(values.port),
      host: values.host,
      ...(clockStart ? { clockStart } : {}),
      ...(hooksOn && hooksTokenFile !== undefined
        ? { testHooks: { ...testHooks, tokenFile: resolve(hooksTokenFile) } }
        : {}),
      rateLimit:
        rate === "off" ? null : rate === undefined ? undefined : { perSecond: Number(rate), burst: Number(rate) * 5 },
      ...(rate === "off" ? { unauthenticatedRateLimit: null } : {}),
      trustProxy: values["trust-proxy"],
      logLevel: values["log-level"],
      ...(tokenFile !== undefined ? { demoTokenFile: tokenFile } : {}),
      ...(smtp !== null ? { mail: { smtp } } : {}),
      ...(values.registrar
        ? {
            registrar: {
              dataDir: registrarDir,
              ...(values["registrar-port"] !== undefined ? { port: Number(values["registrar-port"]) } : {}),
              ...(values["registrar-account"] !== undefined ? { accountId: values["registrar-account"] } : {}),
              ...(trunk ? { trunk: { host: trunk[1] ?? "127.0.0.1", port: Number(trunk[2]) } } : {}),
            },
            recording,
          }
        : {}),
    });
    const sip = backend.registrar && {
      host: backend.registrar.host,
      port: backend.registrar.port,
      transport: backend.registrar.transport,
    };
    const ready = {
      url: backend.url,
      port: backend.port,
      tokenFile: tokenFile ?? null,
      registrar: sip,
      relay: backend.relay && { host: backend.relay.host, ngPort: backend.relay.ngPort },
      version,
      node: process.version,
    };
    process.stdout.write(`${JSON.stringify(ready)}\n`);
    if (sip)
      process.stderr.write(
        `SIP registrar (Kamailio): ${sip.transport}:${sip.host}:${sip.port}, data in ${registrarDir}\n`,
      );
    if (sip)
      process.stderr.write(
        backend.relay
          ? `media relay (rtpengine): NG ${backend.relay.host}:${backend.relay.ngPort}; recordings in ${registrarDir}/recordings\n`
          : "media relay: rtpengine is not installed; calls of users with recording are not recorded\n",
      );
    if (smtp !== null) {
      const relay = describeRelay(smtp);
      process.stderr.write(`mail: through ${relay.host}:${relay.port} (${relay.security}) from ${relay.from}\n`);
    } else process.stderr.write("mail: not configured (no SMTP relay); mails wait in the outbox\n");
    if (tokenFile !== undefined) process.stderr.write(`demo account token: ${tokenFile} (mode 0600)\n`);
    const stop = (): void => {
      void backend.stop().then(() => process.exit(0));
    };
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
    return 0;
  },
};

/** `--relay-rtp-ports` and `--recording-retention-days`, or their environment variables. */
function recordingFrom(
  ports: string | undefined,
  retention: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { relayRtpPorts?: { min: number; max: number }; retentionDays?: number } {
  const portsText = ports ?? env.PBX_RELAY_RTP_PORTS;
  const daysText = retention ?? env.PBX_RECORDING_RETENTION_DAYS;
  const range = portsText === undefined || portsText === "" ? undefined : /^(\d+)-(\d+)$/.exec(portsText);
  if (range === null) throw new UsageError(`--relay-rtp-ports must be MIN-MAX, e.g. 30000-40000, got ${portsText}`);
  if (daysText !== undefined && daysText !== "" && !/^\d+$/.test(daysText))
    throw new UsageError(`--recording-retention-days must be a whole number of days, got ${daysText}`);
  return {
    ...(range ? { relayRtpPorts: { min: Number(range[1]), max: Number(range[2]) } } : {}),
    ...(daysText !== undefined && daysText !== "" ? { retentionDays: Number(daysText) } : {}),
  };
}
