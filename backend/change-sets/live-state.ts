// The live state a configuration write plans against, taken inside its transaction.
import type { Tx } from "../store/schema.ts";
import { lockAccount } from "../accounts/store.ts";
import type { LiveCache, LiveEntry } from "../configuration/cache.ts";
import { loadConfig, loadContext, loadOpenChangeSets, pendingOf } from "../configuration/store.ts";
import { anyDue, settleDue } from "../subscriptions/store.ts";

/** Everything a writer needs, and the cache generation its result is installed under after commit. */
export type WriterState = Required<LiveEntry> & { generation: number };

/**
 * The account and its live state inside a write transaction. A cached entry left by a writer is current
 * (see configuration/cache.ts) and spares the account lock: only the embedded store caches, and its single
 * connection already serializes transactions. Otherwise: lock, settle due cancellations, load. Either way
 * the cached entry is invalidated: the write's post-commit step installs its successor.
 */
export async function liveForWrite(tx: Tx, cache: LiveCache, accountId: string, now: Date): Promise<WriterState> {
  const cached = cache.get(accountId);
  cache.invalidate(accountId);
  const generation = cache.generation(accountId);
  if (cached?.account && cached.openChangeSets && !anyDue(cached.ctx.licences.values(), now))
    return { ...cached, account: cached.account, openChangeSets: cached.openChangeSets, generation };
  const account = await lockAccount(tx, accountId);
  await settleDue(tx, accountId, now);
  const config = await loadConfig(tx, accountId);
  const ctx = await loadContext(tx, accountId, account.numbers);
  const openChangeSets = await loadOpenChangeSets(tx, accountId);
  return {
    config,
    ctx,
    pending: pendingOf(openChangeSets),
    openChangeSets,
    account: { numbers: account.numbers, revision: account.revision },
    generation,
  };
}
