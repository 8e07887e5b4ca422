// The store: one Kysely database over either the embedded PGlite default or PostgreSQL, one migration path.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { Kysely, Migrator, PostgresDialect, type Migration, type MigrationProvider } from "kysely";
import type { Database, Db } from "./schema.ts";
import { lockDataDir } from "./lock.ts";
import * as m0001 from "./migrations/0001-initial.ts";
import * as m0002 from "./migrations/0002-registrar-outbox.ts";
import * as m0003 from "./migrations/0003-audit-detail-format.ts";
import * as m0004 from "./migrations/0004-audit-system-actor.ts";
import * as m0005 from "./migrations/0005-mail-outbox.ts";
import * as m0006 from "./migrations/0006-mail-source-key.ts";

export type StoreOptions =
  | { kind: "embedded"; dataDir: string | null } // null: in memory (tests that need no restart)
  | { kind: "postgres"; url: string; poolSize?: number };

export interface Store {
  db: Db;
  kind: "embedded" | "postgres";
  close(): Promise<void>;
}

const migrations: Record<string, Migration> = {
  "0001-initial": m0001,
  "0002-registrar-outbox": m0002,
  "0003-audit-detail-format": m0003,
  "0004-audit-system-actor": m0004,
  "0005-mail-outbox": m0005,
  "0006-mail-source-key": m0006,
};
const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrate(db: Db): Promise<void> {
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error");
    throw new Error(
      `migration ${failed?.migrationName ?? "?"} failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`,
    );
  }
}

export async function openStore(options: StoreOptions): Promise<Store> {
  if (options.kind === "postgres") {
    const pg = await import("pg");
    // timestamptz and jsonb come back parsed; bigint (audit seq) as a number.
    pg.default.types.setTypeParser(20, (v: string) => Number(v));
    const pool = new pg.default.Pool({ connectionString: options.url, max: options.poolSize ?? 10 });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    await migrate(db);
    return { db, kind: "postgres", close: () => db.destroy() };
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const { PGliteDialect } = await import("kysely-pglite-dialect");
  let unlock = (): void => {};
  if (options.dataDir !== null) {
    mkdirSync(dirname(options.dataDir), { recursive: true });
    unlock = lockDataDir(options.dataDir);
  }
  try {
    // relaxedDurability stays off: every query's result is returned only after its writes reached the file system.
    const pglite = await PGlite.create(options.dataDir ?? "memory://", {
      relaxedDurability: false,
      parsers: { 20: (v: string) => Number(v) },
    });
    const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
    await migrate(db);
    return {
      db,
      kind: "embedded",
      close: async () => {
        await db.destroy();
        unlock();
      },
    };
  } catch (e) {
    unlock();
    throw e;
  }
}
