/**
 * A throwaway PostgreSQL database for the registrar's PostgreSQL variant, in the cluster the backend
 * tests use (PBX_TEST_POSTGRES_URL, started by test/backend/start-postgres.sh). Without that variable the
 * PostgreSQL suites are skipped locally and fail in CI, like the backend's.
 */
import { randomBytes } from "node:crypto";
import { describe } from "vitest";

export const postgresUrl = process.env.PBX_TEST_POSTGRES_URL;

/** describe() that needs PostgreSQL. */
export function describeWithPostgres(title: string, body: () => void): void {
  if (postgresUrl !== undefined) {
    describe(title, body);
    return;
  }
  if (process.env.CI === "true") {
    describe(title, () => {
      throw new Error(
        "PBX_TEST_POSTGRES_URL is not set: CI must start PostgreSQL (test/backend/start-postgres.sh) and export it",
      );
    });
    return;
  }
  console.warn(`[pbx-estate] skipping ${title}: set PBX_TEST_POSTGRES_URL (see test/backend/start-postgres.sh)`);
  describe.skip(`${title} (PBX_TEST_POSTGRES_URL unset)`, body);
}

/** Creates an empty database; returns its URL and a function that drops it. */
export async function createDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (postgresUrl === undefined) throw new Error("PBX_TEST_POSTGRES_URL is not set");
  const pg = (await import("pg")).default;
  const name = `pbx_registrar_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: postgresUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Runs one query against `url` and returns its rows. */
export async function queryRows(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const pg = (await import("pg")).default;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Record<string, unknown>>(sql)).rows;
  } finally {
    await client.end();
  }
}
