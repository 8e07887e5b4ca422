/**
 * Nothing made twice. Every object a create makes carries a client reference derived from the resource's
 * identity in the program (see sdk/client-reference.ts), with a generation suffix for replacements:
 * `pbx:<stack>:john.1a2b…`, then `pbx:<stack>:john.1a2b…/g2`, `…/g3`.
 *
 * Before making anything, `create` lists the objects that carry the resource's base reference and decides:
 * - a first create (no state for this resource) adopts the newest live object it finds: that object was
 *   made by an earlier attempt whose answer or state write was lost (or the stack's state was lost);
 * - a replacement (the old object is still in state) normally sees one live object, the one being
 *   replaced, and makes a new generation; if it sees two, the newer is its own orphan from a replacement
 *   that crashed, and it adopts that one.
 * "Live" means not deleted and, for licences, not cancelled or scheduled for cancellation.
 *
 * Whether the resource has state is learnt in `check`, which the engine calls in the same plugin process
 * before `create`: with the old inputs for a resource in state, and then once more without them for the
 * replacement's create. A first create is only ever checked without old inputs. So "checked with old
 * inputs in this process" is the mark of a replacement. It is kept in memory rather than written into the
 * inputs, so it never shows up as a changed property in a preview.
 */

export interface Candidate {
  id: string;
  clientReference: string | null;
  live: boolean;
}

export type CreateDecision = { adopt: Candidate } | { create: string };

export function referenceFor(base: string, generation: number): string {
  return generation <= 1 ? base : `${base}/g${generation}`;
}

export function generationOf(base: string, reference: string | null): number | undefined {
  if (reference === base) return 1;
  if (!reference?.startsWith(`${base}/g`)) return undefined;
  const n = Number(reference.slice(base.length + 2));
  return Number.isInteger(n) && n >= 2 ? n : undefined;
}

export function decideCreate(base: string, hasState: boolean, candidates: readonly Candidate[]): CreateDecision {
  const mine = candidates
    .map((c) => ({ candidate: c, generation: generationOf(base, c.clientReference) }))
    .filter((c): c is { candidate: Candidate; generation: number } => c.generation !== undefined)
    .sort((a, b) => a.generation - b.generation);
  const live = mine.filter((c) => c.candidate.live);
  const newestLive = live.at(-1);
  const nextGeneration = (mine.at(-1)?.generation ?? 0) + 1;
  if (newestLive && (!hasState || live.length >= 2)) return { adopt: newestLive.candidate };
  return { create: referenceFor(base, nextGeneration) };
}

const checkedWithState = new Map<string, boolean>();

export function rememberCheck(base: string, hasState: boolean): void {
  checkedWithState.set(base, checkedWithState.get(base) === true || hasState);
}

/** What the last `check` of this process saw for the resource; undefined when it was not checked here. */
export function hadState(base: string): boolean | undefined {
  return checkedWithState.get(base);
}
