// The backend's own registrar: Kamailio started and supervised on loopback (registrar/), its writer kept open for
// the outbox publisher, and the account it serves. The registrar's tables hold one estate, so one registrar serves
// one account: the one named, or else the first account whose revision it publishes (remembered in its dataDir).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Logger } from "pino";
import { openRegistrarStore, startRegistrar } from "../../registrar/index.ts";
import type { RegistrarDatabase, RegistrarStore, RunningRegistrar } from "../../registrar/index.ts";

export interface RegistrarProcessOptions {
  /** Kamailio's folder: its config, the SQLite tables (unless `database`), control socket, port and account files. */
  dataDir: string;
  /** Loopback UDP port; default the one this dataDir used last, else a free one (then remembered). */
  port?: number;
  /** Where calls to numbers go; default none (such calls get 503). */
  trunk?: { host: string; port: number } | null;
  /** The account this registrar serves; default the first one published, remembered in `<dataDir>/account`. */
  accountId?: string;
  /** The registrar's tables; default SQLite in dataDir. PostgreSQL for several backend processes feeding one registrar. */
  database?: RegistrarDatabase;
  /** Kamailio's log level (1–3, default 1); its lines go to the backend's log at debug level. */
  logLevel?: number;
  /** The Kamailio binary; default `kamailio` from PATH, /usr/sbin or /usr/local/sbin. */
  kamailioBinary?: string;
}

/**
 * Publish to a registrar started elsewhere (another backend process, or `startRegistrar` on its own) instead of
 * starting one: how several backend processes on one PostgreSQL feed one registrar. Its tables should then be in
 * PostgreSQL too (`database: { kind: "postgres", url }`) and its control socket reachable from this host.
 */
export interface RegistrarAttachOptions {
  attach: { host: string; port: number; database: RegistrarDatabase; ctlSocket: string };
  /** Required here: processes attached to one registrar must agree on the account it serves. */
  accountId: string;
}

export interface BackendRegistrar {
  /** The Kamailio this process supervises; null when attached to one started elsewhere. */
  running: RunningRegistrar | null;
  /** Where devices register. */
  address: { host: string; port: number; transport: "udp" };
  ctlSocket: string;
  store: RegistrarStore;
  serves(accountId: string): boolean;
  /** The account it serves, once known (named, remembered, or the first one published). */
  servedAccount(): string | null;
  stop(): Promise<void>;
}

/** Opens the writer of a registrar started elsewhere. */
export async function attachBackendRegistrar(
  o: RegistrarAttachOptions,
  deps: { realm: string; log: Logger },
): Promise<BackendRegistrar> {
  const store = await openRegistrarStore(o.attach.database, { realm: deps.realm });
  deps.log.info(
    { host: o.attach.host, port: o.attach.port, accountId: o.accountId },
    "publishing to a registrar started elsewhere",
  );
  return {
    running: null,
    address: { host: o.attach.host, port: o.attach.port, transport: "udp" },
    ctlSocket: o.attach.ctlSocket,
    store,
    serves: (accountId) => accountId === o.accountId,
    servedAccount: () => o.accountId,
    stop: () => store.close(),
  };
}

/** Starts Kamailio; throws the registrar module's `RegistrarNotInstalledError` (naming Debian packages) when it is missing. */
export async function startBackendRegistrar(
  o: RegistrarProcessOptions,
  deps: { realm: string; log: Logger; relay?: { host: string; ngPort: number } | null },
): Promise<BackendRegistrar> {
  const dataDir = resolve(o.dataDir);
  const portFile = join(dataDir, "port");
  const accountFile = join(dataDir, "account");
  const remembered = existsSync(portFile) ? Number(readFileSync(portFile, "utf8").trim()) : undefined;
  const port =
    o.port ?? (remembered !== undefined && Number.isInteger(remembered) && remembered > 0 ? remembered : undefined);
  const running = await startRegistrar({
    dataDir,
    realm: deps.realm,
    ...(port !== undefined ? { port } : {}),
    ...(o.trunk !== undefined ? { trunk: o.trunk } : {}),
    ...(o.database !== undefined ? { database: o.database } : {}),
    logLevel: o.logLevel ?? 1,
    ...(o.kamailioBinary !== undefined ? { kamailioBinary: o.kamailioBinary } : {}),
    onLog: (line) => deps.log.debug({ kamailio: line }, "registrar"),
    ...(deps.relay ? { relay: deps.relay } : {}),
  });
  writeFileSync(portFile, `${running.port}\n`);
  let store: RegistrarStore;
  try {
    store = await openRegistrarStore(running.database, { realm: running.realm });
  } catch (e) {
    await running.stop();
    throw e;
  }
  let served = o.accountId ?? (existsSync(accountFile) ? readFileSync(accountFile, "utf8").trim() : "");
  deps.log.info(
    { host: running.host, port: running.port, transport: running.transport, accountId: served || null },
    "registrar started",
  );
  return {
    running,
    address: { host: running.host, port: running.port, transport: running.transport },
    ctlSocket: running.ctlSocket,
    store,
    serves: (accountId) => {
      if (served === "") {
        served = accountId;
        writeFileSync(accountFile, `${accountId}\n`, { mode: 0o600 });
        deps.log.info({ accountId }, "registrar now serves this account");
      }
      return served === accountId;
    },
    servedAccount: () => (served === "" ? null : served),
    stop: async () => {
      await store.close().catch(() => undefined);
      await running.stop();
    },
  };
}
