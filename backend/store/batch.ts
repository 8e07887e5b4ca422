// Runs several writes as one statement (data-modifying CTEs): one round trip to the store instead of many.
import { sql, type Compilable } from "kysely";
import type { Tx } from "./schema.ts";

export async function runBatch(tx: Tx, queries: Compilable[]): Promise<void> {
  if (queries.length === 0) return;
  const parts = queries.map((q, i) => sql`${sql.raw(`w${i}`)} as (${q})`);
  await sql`with ${sql.join(parts, sql`, `)} select 1`.execute(tx);
}
