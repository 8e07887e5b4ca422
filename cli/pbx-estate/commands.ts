/** Every command of the CLI, in the order `--help` lists them. */
import type { Command } from "./command.ts";
import { applyCommand } from "./commands/apply.ts";
import { destroyCommand } from "./commands/destroy.ts";
import { driftCommand } from "./commands/drift.ts";
import { exportCommand } from "./commands/export.ts";
import { planCommand } from "./commands/plan.ts";
import { unlockCommand } from "./commands/unlock.ts";
import { validateCommand } from "./commands/validate.ts";

export const commands: readonly Command[] = [
  validateCommand,
  planCommand,
  applyCommand,
  driftCommand,
  exportCommand,
  destroyCommand,
  unlockCommand,
];
