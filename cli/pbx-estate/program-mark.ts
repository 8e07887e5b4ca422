/**
 * The runner's half of the program mark in `provider/removal-guards.ts`: a fresh mark per engine
 * operation, made by the program itself before it registers anything. Without the mark the provider removes
 * nothing, and the session reports the operation as failed, so a run whose program never started cannot
 * empty the estate.
 */
import { randomUUID } from "node:crypto";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { PulumiFn } from "@pulumi/pulumi/automation/index.js";
import { PROGRAM_MARK_ENV } from "../../provider/contract.ts";

export class ProgramMark implements Disposable {
  readonly path: string;

  constructor(folder: string) {
    this.path = join(folder, `program-mark-${randomUUID()}`);
  }

  /** The environment that tells the provider to expect this mark. */
  get env(): Record<string, string> {
    return { [PROGRAM_MARK_ENV]: this.path };
  }

  /** `program`, making the mark first. */
  around(program: PulumiFn): PulumiFn {
    return async () => {
      writeFileSync(this.path, "");
      return program();
    };
  }

  get made(): boolean {
    return existsSync(this.path);
  }

  [Symbol.dispose](): void {
    rmSync(this.path, { force: true });
  }
}
