/**
 * Opens a registrar store (store-contract.ts says what one does): SQLite for one registrar beside one
 * backend, PostgreSQL for shared deployments. Each implementation is loaded only when asked for, so a
 * SQLite user never loads `pg`, nor a PostgreSQL user `node:sqlite`.
 */
import type { RegistrarDatabase, RegistrarStore } from "./store-contract.ts";
import { withoutSqliteWarning } from "./sqlite-warning.ts";

export type {
  RecordingCall,
  RecordingEvent,
  RegistrarDatabase,
  RegistrarStore,
  WriteResult,
} from "./store-contract.ts";
export { RECORDING_RELAY_UNAVAILABLE } from "./store-contract.ts";

/** Opens the registrar's tables for writing, creating them if missing. */
export async function openRegistrarStore(
  database: RegistrarDatabase,
  options: { realm: string },
): Promise<RegistrarStore> {
  if (database.kind === "sqlite")
    return (await withoutSqliteWarning(() => import("./store-sqlite.ts"))).openSqliteStore(
      database.path,
      options.realm,
    );
  return (await import("./store-postgres.ts")).openPostgresStore(database.url, options.realm);
}
