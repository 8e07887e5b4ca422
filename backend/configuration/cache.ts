// The live configuration of each account, kept in memory by the embedded store's one process.
// Valid only where this process is the store's sole writer: the embedded store's data-directory lock
// guarantees that; with PostgreSQL several processes write, so `NoCache` is used there.
//
// Protocol: a write transaction takes the entry and invalidates it as its first step (inside the
// transaction, which the embedded store's single connection serializes), and installs its result after
// commit only if nothing else touched the account meanwhile (setIfUnchanged). A reader that loads installs
// its result the same way. So a write never plans against state older than the last commit.
import type { Config, Context } from "./model.ts";
import type { Op } from "./operations.ts";

/** An open change set as a writer needs it: whose it is and what is staged in it, in order. */
export interface OpenChangeSet {
  tokenId: string;
  ops: readonly Op[];
}

export interface LiveEntry {
  config: Config;
  ctx: Context;
  pending: Map<string, string[]>;
  /** The account row as of this state; set by writers, which then need not lock it again. */
  account?: { numbers: string[]; revision: number };
  /** Every open change set of the account; set by writers, so staging and applying need not load them. */
  openChangeSets?: ReadonlyMap<string, OpenChangeSet>;
}

export interface LiveCache {
  get(accountId: string): LiveEntry | undefined;
  /** Installs the state committed by a write; call only after its commit. */
  set(accountId: string, entry: LiveEntry): void;
  invalidate(accountId: string): void;
  /** Changes with every set and invalidate: a reader installs what it loaded only if nothing changed meanwhile. */
  generation(accountId: string): number;
  setIfUnchanged(accountId: string, generation: number, entry: LiveEntry): void;
  readonly enabled: boolean;
}

export class MemoryCache implements LiveCache {
  readonly enabled = true;
  private readonly entries = new Map<string, LiveEntry>();
  private readonly generations = new Map<string, number>();
  get(accountId: string): LiveEntry | undefined {
    return this.entries.get(accountId);
  }
  set(accountId: string, entry: LiveEntry): void {
    this.bump(accountId);
    this.entries.set(accountId, entry);
  }
  invalidate(accountId: string): void {
    this.bump(accountId);
    this.entries.delete(accountId);
  }
  generation(accountId: string): number {
    return this.generations.get(accountId) ?? 0;
  }
  setIfUnchanged(accountId: string, generation: number, entry: LiveEntry): void {
    if (this.generation(accountId) === generation) this.set(accountId, entry);
  }
  private bump(accountId: string): void {
    this.generations.set(accountId, this.generation(accountId) + 1);
  }
}

export class NoCache implements LiveCache {
  readonly enabled = false;
  get(): undefined {
    return undefined;
  }
  set(): void {}
  invalidate(): void {}
  generation(): number {
    return 0;
  }
  setIfUnchanged(): void {}
}
