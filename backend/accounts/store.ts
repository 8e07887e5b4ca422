// Accounts and their tokens. Tokens are stored only as SHA-256 digests.
import { timingSafeEqual } from "node:crypto";
import type { Db, Tx } from "../store/schema.ts";
import { newId, newToken, sha256Hex } from "../ids.ts";
import { notFound } from "../errors.ts";

export interface AccountRow {
  id: string;
  name: string;
  timeZone: string;
  numbers: string[];
}

export interface Principal {
  account: AccountRow;
  tokenId: string;
}

export async function insertAccount(
  db: Db,
  input: { name: string; timeZone: string; numbers: string[] },
  now: Date,
): Promise<{ account: AccountRow; token: string; tokenId: string }> {
  const id = newId("acc");
  const token = newToken();
  const tokenId = newId("tok");
  await db.transaction().execute(async (tx) => {
    await tx
      .insertInto("accounts")
      .values({
        id,
        name: input.name,
        time_zone: input.timeZone,
        numbers: JSON.stringify(input.numbers),
        revision: 0,
        created_at: now,
      })
      .execute();
    await tx
      .insertInto("tokens")
      .values({ id: tokenId, account_id: id, digest: sha256Hex(token), created_at: now })
      .execute();
  });
  return { account: { id, name: input.name, timeZone: input.timeZone, numbers: input.numbers }, token, tokenId };
}

export async function addToken(db: Db, accountId: string, now: Date): Promise<{ token: string; tokenId: string }> {
  const token = newToken();
  const tokenId = newId("tok");
  await db
    .insertInto("tokens")
    .values({ id: tokenId, account_id: accountId, digest: sha256Hex(token), created_at: now })
    .execute();
  return { token, tokenId };
}

export async function findPrincipal(db: Db, token: string): Promise<Principal | null> {
  const digest = sha256Hex(token);
  const row = await db
    .selectFrom("tokens")
    .innerJoin("accounts", "accounts.id", "tokens.account_id")
    .select([
      "tokens.id as token_id",
      "tokens.digest",
      "accounts.id",
      "accounts.name",
      "accounts.time_zone",
      "accounts.numbers",
    ])
    .where("tokens.digest", "=", digest)
    .executeTakeFirst();
  if (!row) return null;
  // The lookup is by digest; the constant-time comparison keeps the final check free of timing leaks.
  if (!timingSafeEqual(Buffer.from(row.digest), Buffer.from(digest))) return null;
  return {
    tokenId: row.token_id,
    account: { id: row.id, name: row.name, timeZone: row.time_zone, numbers: row.numbers },
  };
}

/** Locks the account row for the rest of `tx`: every write of one account is serialized, across processes too. */
export async function lockAccount(tx: Tx, accountId: string): Promise<AccountRow & { revision: number }> {
  const row = await tx.selectFrom("accounts").selectAll().where("id", "=", accountId).forUpdate().executeTakeFirst();
  if (!row) throw notFound("account", accountId);
  return { id: row.id, name: row.name, timeZone: row.time_zone, numbers: row.numbers, revision: row.revision };
}
