/**
 * Starts Kamailio as this project's SIP registrar on a loopback UDP port and keeps it running: a
 * Kamailio that dies is started again on the same port. Everything it needs lives in `dataDir`: the
 * rendered kamailio.cfg, the SQLite file the backend's snapshots are written to, the control socket.
 */
import { spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createSocket } from "node:dgram";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { renderKamailioConfig } from "./config.ts";
import { RegistrarNotInstalledError, RegistrarStartError } from "./errors.ts";
import { publishSnapshot } from "./publish.ts";
import { openRegistrarStore } from "./store.ts";
import type { RegistrarDatabase } from "./store.ts";
import type { PublishResult } from "./publish.ts";
import { REGISTRAR_REALM } from "./snapshot.ts";
import type { RevisionSnapshot } from "./snapshot.ts";
import {
  findOnPath,
  freeUdpPort,
  hasExited,
  isExecutable,
  killGroup,
  spawnDaemon,
  superviseDaemon,
  waitFor,
} from "./supervision.ts";
import type { SupervisedDaemon } from "./supervision.ts";

/** The Debian packages the registrar needs (kamcmd comes with `kamailio`). */
export const REGISTRAR_PACKAGES = ["kamailio", "kamailio-sqlite-modules"] as const;

export interface StartRegistrarOptions {
  /** Folder for kamailio.cfg, registrar.db, the control socket and the pid file; created if missing. */
  dataDir: string;
  /**
   * The registrar's tables; default SQLite at <dataDir>/registrar.db. A PostgreSQL URL needs Debian's
   * kamailio-postgres-modules; the tables are created if missing.
   */
  database?: RegistrarDatabase;
  /** Loopback address to listen on; default 127.0.0.1. */
  host?: string;
  /** UDP port; default a free one. */
  port?: number;
  /** Digest realm the HA1 digests are computed with; default `REGISTRAR_REALM`. */
  realm?: string;
  /** Where calls to numbers go (emergency, local, national, international); default none: such calls get 503. */
  trunk?: { host: string; port: number } | null;
  /** Kamailio worker processes; default 2. */
  children?: number;
  /** Kamailio log level: 1 notices, 2 also each refusal and call decision (default), 3 debug. */
  logLevel?: number;
  /** Receives each line Kamailio prints. */
  onLog?: (line: string) => void;
  /** The Kamailio binary; default `kamailio` from PATH, /usr/sbin or /usr/local/sbin. */
  kamailioBinary?: string;
  /**
   * The media relay (`startRelay`) that recording users' calls are anchored through and recorded by;
   * default none: no call is recorded and Kamailio never talks to a relay.
   */
  relay?: { host: string; ngPort: number } | null;
}

export interface RunningRegistrar {
  host: string;
  port: number;
  transport: "udp";
  realm: string;
  /** Where snapshots are written to. */
  database: RegistrarDatabase;
  /** Kamailio's binrpc control socket. */
  ctlSocket: string;
  /** The current Kamailio main process id, undefined while it is being restarted. */
  pid(): number | undefined;
  /** How many times Kamailio was started again after dying. */
  restarts(): number;
  /** Resolves once Kamailio answers SIP again (after a restart, for instance); rejects after the deadline. */
  ready(timeoutMs?: number): Promise<void>;
  /** `publishSnapshot` against this registrar. */
  publish(snapshot: RevisionSnapshot): Promise<PublishResult>;
  /** Stops Kamailio and its workers; the data directory is kept. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1)$/;
const KEEP_LINES = 200;

/** Starts Kamailio and resolves once it answers SIP; throws `RegistrarNotInstalledError` when it is missing. */
export async function startRegistrar(options: StartRegistrarOptions): Promise<RunningRegistrar> {
  const host = options.host ?? "127.0.0.1";
  if (!LOOPBACK.test(host)) throw new Error(`the registrar listens on loopback only, not ${host}`);
  const binary = options.kamailioBinary ?? findOnPath("kamailio");
  if (binary === undefined || !isExecutable(binary))
    throw new RegistrarNotInstalledError("Kamailio (kamailio)", REGISTRAR_PACKAGES);
  if (findOnPath("kamcmd") === undefined) throw new RegistrarNotInstalledError("kamcmd", ["kamailio"]);

  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const realm = options.realm ?? REGISTRAR_REALM;
  const database: RegistrarDatabase = options.database ?? { kind: "sqlite", path: join(dataDir, "registrar.db") };
  const ctlSocket = join(dataDir, "kamailio.ctl");
  const cfgPath = join(dataDir, "kamailio.cfg");
  const pidFile = join(dataDir, "kamailio.pid");
  if (Buffer.byteLength(ctlSocket) > 100) throw new Error(`dataDir is too long for a unix socket path: ${ctlSocket}`);

  killLeftover(pidFile, cfgPath);
  // Creates the tables Kamailio checks at start. Registrations of a previous Kamailio died with it, so
  // there is nothing left to drop.
  const clearPendingDrops = async (): Promise<void> => {
    const store = await openRegistrarStore(database, { realm });
    try {
      await store.clearPendingDrops();
    } finally {
      await store.close();
    }
  };
  await clearPendingDrops();

  const output: string[] = [];
  const remember = (line: string): void => {
    output.push(line);
    if (output.length > KEEP_LINES) output.shift();
    options.onLog?.(line);
  };

  let port = options.port ?? (await freeUdpPort(host));
  const render = (): void =>
    writeFileSync(
      cfgPath,
      renderKamailioConfig({
        host,
        port,
        realm,
        database,
        ctlSocket,
        trunk: options.trunk ?? null,
        children: options.children ?? 2,
        logLevel: options.logLevel ?? 2,
        relay: options.relay ?? null,
      }),
      { mode: 0o600 },
    );
  render();
  checkConfig(binary, cfgPath);

  const launch = (): ChildProcess =>
    spawnDaemon(
      { binary, args: ["-DD", "-E", "-f", cfgPath, "-Y", dataDir, "-P", pidFile, "-w", dataDir, "-m", "32"] },
      remember,
    );
  const supervise = (): SupervisedDaemon =>
    superviseDaemon({ name: "kamailio", launch, beforeRestart: clearPendingDrops, log: remember });

  // A port picked as free can be taken before Kamailio binds it: try a few before giving up.
  let daemon: SupervisedDaemon;
  for (let attempt = 1; ; attempt++) {
    daemon = supervise();
    const started = daemon.current();
    try {
      await waitUntilAnswering(host, port, () => started === undefined || hasExited(started), 10_000);
      await waitFor(() => existsSync(ctlSocket), 5_000, "the control socket");
      break;
    } catch (error) {
      await daemon.stop();
      const text = output.join("\n");
      if (options.port === undefined && attempt < 3 && /bind|Address already in use/i.test(text)) {
        port = await freeUdpPort(host);
        render();
        continue;
      }
      throw new RegistrarStartError(
        `kamailio did not start: ${(error as Error).message}`,
        output.slice(-30).join("\n"),
      );
    }
  }
  const running = daemon;

  return {
    host,
    port,
    transport: "udp",
    realm,
    database,
    ctlSocket,
    pid: () => running.current()?.pid,
    restarts: () => running.restarts(),
    ready: async (timeoutMs = 10_000) => {
      await waitUntilAnswering(host, port, () => running.stopping(), timeoutMs);
      await waitFor(() => existsSync(ctlSocket), timeoutMs, "the control socket");
    },
    publish: (snapshot) => publishSnapshot({ database, ctlSocket, realm }, snapshot),
    stop: () => running.stop(),
    [Symbol.asyncDispose]: () => running.stop(),
  };
}

/** `kamailio -c` names a missing module plainly; turn that into the package to install. */
function checkConfig(binary: string, cfgPath: string): void {
  const check = spawnSync(binary, ["-c", "-f", cfgPath], { encoding: "utf8", timeout: 30_000 });
  if (check.status === 0) return;
  const text = `${check.stdout}${check.stderr}`;
  if (/db_sqlite/.test(text) && /(could not find|cannot open|No such file)/i.test(text))
    throw new RegistrarNotInstalledError("Kamailio's SQLite module (db_sqlite)", ["kamailio-sqlite-modules"]);
  if (/db_postgres/.test(text) && /(could not find|cannot open|No such file)/i.test(text))
    throw new RegistrarNotInstalledError("Kamailio's PostgreSQL module (db_postgres)", ["kamailio-postgres-modules"]);
  throw new RegistrarStartError("kamailio rejected the rendered configuration", text.split("\n").slice(-30).join("\n"));
}

/** A Kamailio left running by a process that died without stopping it would hold the control socket. */
function killLeftover(pidFile: string, cfgPath: string): void {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").trim());
  rmSync(pidFile, { force: true });
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(cfgPath)) killGroup(pid);
  } catch {
    // no such process
  }
}

/**
 * Sends SIP OPTIONS to the registrar until it answers 200, the deadline passes, or `gaveUp` says the
 * process is gone. Each probe is a new transaction (new branch and Call-ID).
 */
export async function waitUntilAnswering(
  host: string,
  port: number,
  gaveUp: () => boolean,
  timeoutMs: number,
): Promise<void> {
  const socket = createSocket(host.includes(":") ? "udp6" : "udp4");
  const answered = new Promise<void>((done) => {
    socket.on("message", (msg) => {
      if (msg.toString("utf8").startsWith("SIP/2.0 200")) done();
    });
  });
  await new Promise<void>((done) => socket.bind(0, host, () => done()));
  const local = socket.address();
  const deadline = Date.now() + timeoutMs;
  let settled = false;
  void answered.then(() => (settled = true));
  try {
    for (let n = 0; !settled; n++) {
      if (gaveUp()) throw new Error("kamailio exited");
      if (Date.now() > deadline) throw new Error(`no answer to SIP OPTIONS on ${host}:${port} within ${timeoutMs} ms`);
      const tag = `${process.pid}-${Date.now()}-${n}`;
      const hostPart = host.includes(":") ? `[${host}]` : host;
      const request =
        `OPTIONS sip:${hostPart}:${port} SIP/2.0\r\n` +
        `Via: SIP/2.0/UDP ${hostPart}:${local.port};branch=z9hG4bK-probe-${tag}\r\n` +
        `From: <sip:probe@${hostPart}>;tag=${tag}\r\nTo: <sip:${hostPart}:${port}>\r\n` +
        `Call-ID: probe-${tag}\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`;
      socket.send(request, port, host);
      await Promise.race([answered, new Promise((r) => setTimeout(r, 50))]);
    }
  } finally {
    socket.close();
  }
}
