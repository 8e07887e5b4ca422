// Audit rows of what the backend does by itself (the mail outbox delivering or giving up on a mail) have no
// token behind them: their token_id is null, never a made-up token id.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table audit alter column token_id drop not null`.execute(db);
}
