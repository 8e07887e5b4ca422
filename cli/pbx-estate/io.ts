/** What a command may touch of the outside world: its output streams, the terminal, environment and folder. */
import { createInterface } from "node:readline/promises";

export interface Io {
  /** One line (or block) to stdout: results, plans, reports. */
  out(text: string): void;
  /** One line (or block) to stderr: progress, warnings, errors. */
  err(text: string): void;
  /** Raw text to stderr, for a status line redrawn in place. */
  errRaw(text: string): void;
  /** True when a person is at the terminal: stdin and stderr are TTYs. */
  interactive: boolean;
  /** Columns of the terminal, when interactive. */
  columns: number;
  /** Asks a question on the terminal and returns the answer line. */
  ask(question: string): Promise<string>;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export function processIo(): Io {
  return {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    errRaw: (text) => process.stderr.write(text),
    interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY),
    columns: process.stderr.columns || 100,
    ask: async (question) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
    env: process.env,
    cwd: process.cwd(),
  };
}
