/**
 * Results shared by the resource hooks: partial failures the engine can record, and the account check
 * that keeps a wrong token from looking like a mass deletion.
 */
import type { ProviderContext } from "../context.ts";
import { hadState } from "../identity.ts";
import type { Inputs } from "./inputs.ts";
import { withoutDefaults } from "./defaults.ts";

/**
 * An object that exists in the backend although its hook failed afterwards (for example it went live but
 * could not be read back). Thrown with the id and properties so the engine records it, with the error, and
 * the next `up` updates it instead of making another.
 */
export class PartialFailure extends Error {
  readonly id: string;
  readonly properties: Inputs;
  readonly reasons: string[];
  constructor(id: string, properties: Inputs, reason: string) {
    super(reason);
    this.id = id;
    this.properties = properties;
    this.reasons = [reason];
  }
}

/**
 * Confirms the token still belongs to the account recorded in state before a 404 is taken to mean "gone".
 * Under another account's token every object answers 404; refresh must fail, not forget the estate.
 */
export async function confirmGone(
  ctx: ProviderContext,
  kind: string,
  id: string,
  props: Inputs | undefined,
): Promise<void> {
  const recorded = typeof props?.accountId === "string" ? props.accountId : undefined;
  const { accountId } = await ctx.account();
  if (recorded !== undefined && recorded !== accountId) {
    throw new Error(
      `${kind} ${id} belongs to account ${recorded}, but the configured token is for account ${accountId}: ` +
        `check pbx:token / PBX_TOKEN. Nothing was marked as deleted.`,
    );
  }
}

/**
 * The outputs to record: the checked inputs plus what the backend says. Left out are absent values (null or
 * undefined) and inputs equal to their default (`defaults`), which diffs read back as that default. The
 * engine and the plugin pay for every field of every resource on each read, diff and checkpoint, so state
 * keeps only the fields that say something.
 */
export function outputsFrom(inputs: Inputs, live: Inputs, defaults: Inputs = {}): Inputs {
  return withoutDefaults({ ...inputs, ...live }, defaults);
}

/**
 * Whether the resource being created already has state (a replacement) or not (a first create, possibly
 * retried). An unchecked create that finds its own objects cannot tell, and must not guess with money.
 */
export function stateOf(base: string, found: number): boolean {
  const known = hadState(base);
  if (known !== undefined || found === 0) return known ?? false;
  throw new Error(`internal: create for ${base} was not preceded by check in this process; run the update again`);
}

/**
 * Converge by reading back: the outputs of an object whose change just went live — as the apply's answer
 * shows it (`applied`), or else read from the backend. If it cannot be read, the object still exists, so
 * the failure is reported with its id and what is known (`known`, e.g. a new password) for the engine to
 * record; the next `up` finishes it.
 */
export async function readBack<T>(
  ctx: ProviderContext,
  kind: string,
  id: string,
  props: Inputs,
  applied: T | undefined,
  fetch: () => Promise<T | undefined>,
  toLive: (object: T, accountId: string) => Inputs,
  { known = {}, defaults = {} }: { known?: Inputs; defaults?: Inputs } = {},
): Promise<Inputs> {
  const { accountId } = await ctx.account();
  try {
    const object = applied ?? (await fetch());
    if (object) return outputsFrom(props, toLive(object, accountId), defaults);
    throw new Error(`${kind} ${id} was applied but cannot be read back`);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PartialFailure(
      id,
      { ...outputsFrom(props, { accountId, ...known }, defaults), __provider: props.__provider },
      reason,
    );
  }
}
