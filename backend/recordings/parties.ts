// Who a recorded call's mail names: the caller by the user id the call carried (its name from the backend's
// database, else its extension), the callee (the extension's user's name, else the number as dialled), and the
// account whose time zone the start time is shown in.
import type { CallMetadata } from "../../recording/call-metadata.ts";
import type { Db } from "../store/schema.ts";
import { describeNumber, type CallParties } from "./mail-text.ts";

/** The account a call's mail belongs to, and how it names the people on the call. */
export interface CallAccount extends CallParties {
  accountId: string;
}

/**
 * Looks the call's people up. The caller's user may have been removed since the call started: the mail still goes
 * to the address the call carried, under `fallbackAccountId` (the account the registrar serves). Null when
 * neither is known (nothing to file the mail under).
 */
export async function callAccount(
  db: Db,
  call: CallMetadata,
  fallbackAccountId: string | null,
): Promise<CallAccount | null> {
  const caller = await db
    .selectFrom("users")
    .select(["account_id", "name"])
    .where("id", "=", call.userId)
    .executeTakeFirst();
  const accountId = caller?.account_id ?? fallbackAccountId;
  if (accountId === null) return null;
  const account = await db.selectFrom("accounts").select("time_zone").where("id", "=", accountId).executeTakeFirst();
  if (account === undefined) return null;
  const callee =
    call.kind === "extension"
      ? await db
          .selectFrom("users")
          .select("name")
          .where("account_id", "=", accountId)
          .where("extension", "=", call.to)
          .executeTakeFirst()
      : undefined;
  return {
    accountId,
    timeZone: account.time_zone,
    caller: caller ? `${caller.name} (extension ${call.extension})` : `extension ${call.extension}`,
    callee: callee ? `${callee.name} (extension ${call.to})` : describeNumber(call.kind, call.dialled, call.to),
  };
}
