// Rules of change sets that need the store: it exists in the account, is open, and belongs to the caller.
import type { Tx, Db } from "../store/schema.ts";
import { ApiError, notFound } from "../errors.ts";

export async function openChangeSetOf(tx: Tx | Db, accountId: string, tokenId: string, id: string): Promise<{ id: string; status: string }> {
  const cs = await tx.selectFrom("change_sets").select(["id", "status", "token_id"]).where("id", "=", id).where("account_id", "=", accountId).executeTakeFirst();
  if (!cs) throw notFound("change set", id);
  if (cs.token_id !== tokenId) throw new ApiError(403, "change-set-not-yours", `change set ${id} belongs to another client; open your own`);
  if (cs.status !== "open") throw new ApiError(409, "change-set-closed", `change set ${id} is ${cs.status}`, { changeSetStatus: cs.status });
  return cs;
}
