// The initial schema. Plain PostgreSQL: the embedded store (PGlite) runs the very same statements.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  // One statement per execution: prepared statements (pg and PGlite) take one command each.
  for (const statement of ddl
    .split(/;\s*\n/)
    .map((s) => s.trim())
    .filter((s) => s !== ""))
    await sql.raw(statement).execute(db);
}

const ddl = `
    create table accounts (
      id text primary key,
      name text not null,
      time_zone text not null,
      numbers jsonb not null default '[]',
      revision integer not null default 0,
      created_at timestamptz not null
    );
    create table tokens (
      id text primary key,
      account_id text not null references accounts(id),
      digest text not null unique,
      created_at timestamptz not null
    );
    create table orders (
      id text primary key,
      account_id text not null references accounts(id),
      client_reference text,
      terms_version text not null,
      created_at timestamptz not null,
      unique (account_id, client_reference)
    );
    create table idempotency (
      account_id text not null references accounts(id),
      key text not null,
      request_hash text not null,
      status integer not null,
      body jsonb not null,
      created_at timestamptz not null,
      primary key (account_id, key)
    );
    create table subscriptions (
      id text primary key,
      account_id text not null references accounts(id),
      order_id text not null references orders(id),
      order_position integer not null,
      client_reference text,
      product text not null,
      call_plan text,
      status text not null,
      price_minor integer not null,
      currency text not null,
      version integer not null,
      created_at timestamptz not null,
      cancellation_effective_at timestamptz,
      cancelled_at timestamptz,
      unique (account_id, client_reference)
    );
    create index subscriptions_account on subscriptions (account_id, status);
    create table users (
      id text primary key,
      account_id text not null references accounts(id),
      client_reference text,
      name text not null,
      extension text not null,
      licence_id text not null references subscriptions(id),
      area_prefix text not null,
      outbound_caller_id text not null,
      recording jsonb not null,
      version integer not null,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      constraint users_extension_unique unique (account_id, extension) deferrable initially deferred,
      constraint users_licence_unique unique (licence_id) deferrable initially deferred,
      constraint users_reference_unique unique (account_id, client_reference) deferrable initially deferred
    );
    create table devices (
      id text primary key,
      account_id text not null references accounts(id),
      client_reference text,
      name text not null,
      licence_id text not null references subscriptions(id),
      user_id text references users(id) deferrable initially deferred,
      sip_username text not null unique,
      ha1 text not null,
      password_fingerprint text not null,
      version integer not null,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      constraint devices_licence_unique unique (licence_id) deferrable initially deferred,
      constraint devices_reference_unique unique (account_id, client_reference) deferrable initially deferred
    );
    create index devices_account on devices (account_id);
    create index users_account on users (account_id);
    create table change_sets (
      id text primary key,
      account_id text not null references accounts(id),
      token_id text not null,
      status text not null,
      description text,
      created_at timestamptz not null,
      applied_revision integer
    );
    create index change_sets_open on change_sets (account_id, status);
    create table change_set_ops (
      change_set_id text not null references change_sets(id),
      seq integer not null,
      object_id text not null,
      op jsonb not null,
      primary key (change_set_id, seq)
    );
    create table revisions (
      account_id text not null references accounts(id),
      revision integer not null,
      change_set_id text,
      applied_at timestamptz not null,
      operations integer not null,
      primary key (account_id, revision)
    );
    create table audit (
      seq bigint generated always as identity primary key,
      account_id text not null references accounts(id),
      at timestamptz not null,
      token_id text not null,
      request_id text not null,
      action text not null,
      object_kind text not null,
      object_id text,
      detail jsonb not null
    );
    create index audit_account on audit (account_id, seq);
`;
