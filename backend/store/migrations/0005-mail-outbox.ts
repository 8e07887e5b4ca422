// The mail outbox: one row per mail to send (a call's recording, a "not recorded" notice), written in the
// transaction of whatever made it due and delivered by a worker through the configured SMTP relay (backend/mail/).
// The row names its attachment's file (the recording) and never holds audio. Plain PostgreSQL, as 0001.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table mail_outbox (
      id text primary key,
      account_id text not null references accounts(id),
      message_id text not null unique,
      recipient text not null,
      subject text not null,
      body_text text not null,
      attachment_path text,
      attachment_name text,
      attachment_content_type text,
      remove_attachment boolean not null default true,
      attachment_removed_at timestamptz,
      created_at timestamptz not null default now(),
      next_attempt_at timestamptz not null default now(),
      claimed_until timestamptz,
      attempts integer not null default 0,
      last_error text,
      delivered_at timestamptz,
      outcome text check (outcome in ('delivered', 'refused')),
      check ((attachment_path is null) = (attachment_name is null)),
      check ((attachment_path is null) = (attachment_content_type is null))
    )`.execute(db);
  await sql`create index mail_outbox_due on mail_outbox (next_attempt_at) where delivered_at is null`.execute(db);
  await sql`create index mail_outbox_attachments on mail_outbox (delivered_at)
      where remove_attachment and attachment_path is not null and attachment_removed_at is null`.execute(db);
}
