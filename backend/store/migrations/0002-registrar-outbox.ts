// The registrar outbox: "revision N of account A must be published to the SIP registrar", written in the same
// transaction as the revision itself and marked delivered once a publisher has written a snapshot at or above
// N to the registrar. Plain PostgreSQL, as 0001: PGlite runs the same statements.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table registrar_outbox (
      account_id text not null references accounts(id),
      revision integer not null,
      created_at timestamptz not null,
      claimed_until timestamptz,
      attempts integer not null default 0,
      last_error text,
      delivered_at timestamptz,
      outcome text,
      primary key (account_id, revision)
    )`.execute(db);
  await sql`create index registrar_outbox_pending on registrar_outbox (account_id, revision) where delivered_at is null`.execute(
    db,
  );
}
