// A compile-time check that two hand-written shapes name the same fields, for places that must list a
// schema's fields in their own form (an SDK's argument types, a plan's rows).

/** `true` when A and B have the same keys; otherwise the keys each lacks, which `true` is not assignable to. */
export type SameFields<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never]
  ? true
  : { onlyInFirst: Exclude<keyof A, keyof B>; onlyInSecond: Exclude<keyof B, keyof A> };
