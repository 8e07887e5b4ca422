// Rules of change sets: it exists in the account, is open, and belongs to the caller.
import type { Tx, Db } from "../store/schema.ts";
import type { Caller } from "../accounts/caller.ts";
import type { OpenChangeSet } from "../configuration/cache.ts";
import { ApiError, notFound } from "../errors.ts";

export async function openChangeSetOf(
  tx: Tx | Db,
  accountId: string,
  tokenId: string,
  id: string,
): Promise<{ id: string; status: string }> {
  const cs = await tx
    .selectFrom("change_sets")
    .select(["id", "status", "token_id"])
    .where("id", "=", id)
    .where("account_id", "=", accountId)
    .executeTakeFirst();
  if (!cs) throw notFound("change set", id);
  if (cs.token_id !== tokenId)
    throw new ApiError(403, "change-set-not-yours", `change set ${id} belongs to another client; open your own`);
  if (cs.status !== "open")
    throw new ApiError(409, "change-set-closed", `change set ${id} is ${cs.status}`, { changeSetStatus: cs.status });
  return cs;
}

/** The caller's open change set from a writer's live state, or the store's precise refusal (unknown, not yours, closed). */
export async function openChangeSetIn(
  tx: Tx,
  live: { openChangeSets: ReadonlyMap<string, OpenChangeSet> },
  caller: Caller,
  changeSetId: string,
): Promise<OpenChangeSet> {
  const open = live.openChangeSets.get(changeSetId);
  if (open && open.tokenId === caller.tokenId) return open;
  await openChangeSetOf(tx, caller.account.id, caller.tokenId, changeSetId); // throws the refusal
  throw new Error(`change set ${changeSetId} is open in the store but not in the loaded state`);
}
