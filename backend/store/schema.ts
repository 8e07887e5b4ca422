// Row types of the one SQL schema both stores share (see migrations/).
import type { ColumnType, Generated, Kysely, Transaction } from "kysely";

type Ts = ColumnType<Date, Date | string, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export interface AccountsTable {
  id: string;
  name: string;
  time_zone: string;
  numbers: Json<string[]>;
  revision: number;
  created_at: Ts;
}
export interface TokensTable {
  id: string;
  account_id: string;
  digest: string;
  created_at: Ts;
}
export interface OrdersTable {
  id: string;
  account_id: string;
  client_reference: string | null;
  terms_version: string;
  created_at: Ts;
}
export interface IdempotencyTable {
  account_id: string;
  key: string;
  request_hash: string;
  status: number;
  body: Json<unknown>;
  created_at: Ts;
}
export interface SubscriptionsTable {
  id: string;
  account_id: string;
  order_id: string;
  order_position: number;
  client_reference: string | null;
  product: string;
  call_plan: string | null;
  status: string;
  price_minor: number;
  currency: string;
  version: number;
  created_at: Ts;
  cancellation_effective_at: Ts | null;
  cancelled_at: Ts | null;
}
export interface DevicesTable {
  id: string;
  account_id: string;
  client_reference: string | null;
  name: string;
  licence_id: string;
  user_id: string | null;
  sip_username: string;
  ha1: string;
  password_fingerprint: string;
  version: number;
  created_at: Ts;
  updated_at: Ts;
}
export interface UsersTable {
  id: string;
  account_id: string;
  client_reference: string | null;
  name: string;
  extension: string;
  licence_id: string;
  area_prefix: string;
  outbound_caller_id: string;
  recording: Json<{ enabled: boolean; email?: string; subject?: string }>;
  version: number;
  created_at: Ts;
  updated_at: Ts;
}
export interface ChangeSetsTable {
  id: string;
  account_id: string;
  token_id: string;
  status: string;
  description: string | null;
  created_at: Ts;
  applied_revision: number | null;
}
export interface ChangeSetOpsTable {
  change_set_id: string;
  seq: number;
  object_id: string;
  op: Json<unknown>;
}
export interface RevisionsTable {
  account_id: string;
  revision: number;
  change_set_id: string | null;
  applied_at: Ts;
  operations: number;
}
export interface AuditTable {
  seq: Generated<number>;
  account_id: string;
  at: Ts;
  /** null when the backend acted by itself (the mail outbox), not a caller's token. */
  token_id: string | null;
  request_id: string;
  action: string;
  object_kind: string;
  object_id: string | null;
  detail: Json<Record<string, unknown>>;
  /** 1: written before values were kept as the API shows them; 2: as the API shows them. */
  detail_format: Generated<number>;
}
/** One revision of one account that must reach the SIP registrar (backend/outbox/). */
export interface RegistrarOutboxTable {
  account_id: string;
  revision: number;
  created_at: Ts;
  /** A publisher's lease: others leave the row alone until then. */
  claimed_until: Ts | null;
  attempts: Generated<number>;
  last_error: string | null;
  delivered_at: Ts | null;
  /** "published" (a snapshot at or above this revision is on the registrar) or "not-served". */
  outcome: string | null;
}

/** One mail to send through the SMTP relay (backend/mail/). */
export interface MailOutboxTable {
  id: string;
  account_id: string;
  /** `<…@…>`, chosen at enqueue and the same on every attempt: a resend is recognisable as the same mail. */
  message_id: string;
  recipient: string;
  subject: string;
  body_text: string;
  /** The attachment's file (a recording); the row never holds its bytes. */
  attachment_path: string | null;
  attachment_name: string | null;
  attachment_content_type: string | null;
  /** Remove the attachment's file once the relay accepted the mail (else it is kept). */
  remove_attachment: Generated<boolean>;
  attachment_removed_at: Ts | null;
  created_at: Generated<Date>;
  next_attempt_at: Generated<Date>;
  /** A worker's lease: others leave the row alone until then. */
  claimed_until: Ts | null;
  attempts: Generated<number>;
  /** Why the last attempt failed: a code and the relay's reply, never a secret, an address or content. */
  last_error: string | null;
  delivered_at: Ts | null;
  outcome: "delivered" | "refused" | null;
  /** What made the mail due (a recorded call's part, a "not recorded" event), unique: never enqueued twice. */
  source_key: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface Database {
  accounts: AccountsTable;
  tokens: TokensTable;
  orders: OrdersTable;
  idempotency: IdempotencyTable;
  subscriptions: SubscriptionsTable;
  devices: DevicesTable;
  users: UsersTable;
  change_sets: ChangeSetsTable;
  change_set_ops: ChangeSetOpsTable;
  revisions: RevisionsTable;
  audit: AuditTable;
  registrar_outbox: RegistrarOutboxTable;
  mail_outbox: MailOutboxTable;
}

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
