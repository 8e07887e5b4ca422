/**
 * What this stack already made, for `create` to decide between adopting and making (see identity.ts).
 * Client references start with a prefix naming the stack (`pbx:<stack>:`, see sdk/client-reference.ts), so
 * one listing per kind finds every object the stack's earlier runs made. It is taken once per process, at
 * the first create of that kind: an object a create looks for was made by an earlier process (a run that
 * crashed or lost its answer), and within one run the engine creates each resource once, so a later
 * listing would add nothing a decision needs. A reference without the stack prefix is looked up alone.
 */

const stackPrefix = /^(pbx:[0-9a-f]{8}:)/;

export function stackPrefixOf(base: string): string | undefined {
  return stackPrefix.exec(base)?.[1];
}

export class ReferenceIndex<T extends { clientReference: string | null }> {
  private readonly list: (prefix: string) => Promise<T[]>;
  private readonly snapshots = new Map<string, Promise<T[]>>();

  /** `list(prefix)` lists the objects whose client reference starts with `prefix`. */
  constructor(list: (prefix: string) => Promise<T[]>) {
    this.list = list;
  }

  /** The objects carrying `base` or a later generation of it (`base/g2`, …). */
  async carrying(base: string): Promise<T[]> {
    const prefix = stackPrefixOf(base);
    if (prefix === undefined) return this.list(base);
    let snapshot = this.snapshots.get(prefix);
    if (!snapshot) {
      snapshot = this.list(prefix);
      this.snapshots.set(prefix, snapshot);
      snapshot.catch(() => this.snapshots.delete(prefix)); // a failed listing is asked again next time
    }
    return (await snapshot).filter(
      (o) => o.clientReference === base || o.clientReference?.startsWith(`${base}/g`) === true,
    );
  }
}

/**
 * The resource's logical name as its client reference spells it (characters other than letters, digits,
 * `.`, `_` and `-` made `-`, at most 40), for messages: the dynamic provider never sees the URN.
 */
export function resourceNameOf(reference: unknown): string | undefined {
  return typeof reference === "string"
    ? /^pbx:[0-9a-f]{8}:(.+)\.[0-9a-f]{20}(?:\/g\d+)?$/.exec(reference)?.[1]
    : undefined;
}

/** The stack prefix of the client reference recorded in a resource's state, if it has one. */
export function stackOf(props: { clientReference?: unknown } | undefined): string | undefined {
  return typeof props?.clientReference === "string" ? stackPrefixOf(props.clientReference) : undefined;
}
