// Audit rows say how their detail is written: 1 for rows written before values were kept as the API shows
// them (a subscription change recorded database column names, and its dates as {}), 2 from then on.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table audit add column detail_format smallint not null default 1`.execute(db);
}
