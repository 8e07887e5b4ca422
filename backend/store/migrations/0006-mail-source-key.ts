// What made a mail due, as a key unique among mails: the recordings worker enqueues a call's mails under the
// call's key, so a call processed again after a crash between the enqueue's commit and the removal of the relay's
// files is recognised instead of mailed twice. Null for mails nothing could make due twice.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table mail_outbox add column source_key text`.execute(db);
  await sql`create unique index mail_outbox_source_key on mail_outbox (source_key)`.execute(db);
}
