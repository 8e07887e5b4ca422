/**
 * Confirmation of something a person should agree to (deletions over the limit, a cost increase, a
 * destroy): `--yes` agrees in advance; on a terminal the person is asked; anywhere else the CLI refuses.
 */
import { RefusedError } from "./errors.ts";
import type { Io } from "./io.ts";

export async function confirmOrRefuse(
  io: Io,
  options: { yes: boolean; reasons: string[]; question: string; expected: string },
): Promise<void> {
  if (options.reasons.length === 0) return;
  const reasons = options.reasons.map((r) => `  - ${r}`).join("\n");
  if (options.yes) {
    io.err(`Going ahead (--yes):\n${reasons}`);
    return;
  }
  if (io.interactive) {
    io.err(reasons);
    const answer = await io.ask(`${options.question} Type ${options.expected} to go ahead: `);
    if (answer.trim() === options.expected) return;
    throw new RefusedError("not confirmed; nothing was changed");
  }
  throw new RefusedError(`nothing was changed:\n${reasons}\nConfirm with --yes (or run it on a terminal to be asked).`);
}
