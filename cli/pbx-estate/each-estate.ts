/**
 * `--each <folder>`: one command over several estates, every subfolder of <folder> holding YAML files
 * being one estate (its own stack), run at most `--jobs` at a time (default 4). Each estate's output is
 * printed whole, in folder order; with `--json` the results are one document. The exit code is the worst:
 * any failure 1, else any drift 2, else 0.
 */
import { readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import type { Command } from "./command.ts";
import { connectionOptions } from "./connect.ts";
import { EXIT, exitCodeFor, messageOf, UsageError } from "./errors.ts";
import type { Io } from "./io.ts";

export const EACH_COMMANDS: readonly string[] = ["validate", "plan", "drift"];

/** Takes `--each <folder>` and `--jobs N` out of `argv`; undefined when `--each` is absent. */
export function eachOptions(argv: readonly string[]): { parent: string; jobs: number; rest: string[] } | undefined {
  const rest = [...argv];
  const take = (flag: string): string | undefined => {
    const i = rest.findIndex((a) => a === flag || a.startsWith(`${flag}=`));
    if (i < 0) return undefined;
    const [arg] = rest.splice(i, 1);
    if (arg!.includes("=")) return arg!.slice(flag.length + 1);
    const [value] = rest.splice(i, 1);
    if (value === undefined || value.startsWith("--")) throw new UsageError(`${flag} needs a value`);
    return value;
  };
  const parent = take("--each");
  const jobsText = take("--jobs");
  if (parent === undefined) {
    if (jobsText !== undefined) throw new UsageError("--jobs goes with --each");
    return undefined;
  }
  const jobs = jobsText === undefined ? 4 : Number(jobsText);
  if (!Number.isInteger(jobs) || jobs < 1)
    throw new UsageError(`--jobs takes a whole number of at least 1, got ${JSON.stringify(jobsText)}`);
  return { parent, jobs, rest };
}

function estateFolders(parent: string): string[] {
  const folders = readdirSync(parent)
    .map((name) => join(parent, name))
    .filter((path) => statSync(path).isDirectory() && readdirSync(path).some((f) => /\.ya?ml$/.test(f)))
    .sort();
  if (folders.length === 0) throw new UsageError(`${parent} has no subfolder holding estate files`);
  return folders;
}

interface Captured {
  folder: string;
  code: number;
  out: string[];
  err: string[];
}

/** An Io that keeps what one estate's run prints, to be printed whole afterwards; never asks. */
function capturing(io: Io, into: Captured): Io {
  return {
    ...io,
    out: (text) => into.out.push(text),
    err: (text) => into.err.push(text),
    errRaw: () => undefined,
    interactive: false,
    ask: async () => "",
  };
}

export async function runEach(
  command: Command,
  options: { parent: string; jobs: number; rest: string[] },
  io: Io,
): Promise<number> {
  if (!EACH_COMMANDS.includes(command.name)) throw new UsageError(`--each works with ${EACH_COMMANDS.join(", ")}`);
  if (options.rest.some((a) => a === "--out" || a.startsWith("--out=")))
    throw new UsageError("--out saves one estate's plan: plan each estate alone to save plan files");
  if (options.rest.some((a) => !a.startsWith("-") && !isOptionValue(options.rest, a))) {
    throw new UsageError("with --each, the estates are the subfolders of its folder: name no other paths");
  }
  const folders = estateFolders(resolve(io.cwd, options.parent));
  const results: Captured[] = folders.map((folder) => ({
    folder: relative(io.cwd, folder) || ".",
    code: EXIT.failure,
    out: [],
    err: [],
  }));
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < results.length; i = next++) {
      const result = results[i]!;
      result.code = await command.run([folders[i]!, ...options.rest], capturing(io, result)).catch((error: unknown) => {
        result.err.push(messageOf(error));
        return exitCodeFor(error);
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.jobs, results.length) }, worker));

  const json = options.rest.includes("--json");
  if (json) {
    const estates = results.map((r) => ({
      path: r.folder,
      exitCode: r.code,
      result: parsed(r.out.join("\n")),
      ...(r.err.length ? { messages: r.err } : {}),
    }));
    io.out(JSON.stringify({ estates }, null, 2));
  } else {
    for (const r of results) {
      io.out(
        `${options.rest.includes("--markdown") ? "<!-- estate:" : "==>"} ${r.folder} (exit ${r.code})${options.rest.includes("--markdown") ? " -->" : ""}`,
      );
      for (const line of r.out) io.out(line);
      io.out("");
    }
  }
  for (const r of results) for (const line of r.err) io.err(`[${r.folder}] ${line}`);
  const codes = results.map((r) => r.code);
  if (codes.some((c) => c !== EXIT.ok && c !== EXIT.drift)) return EXIT.failure;
  return codes.includes(EXIT.drift) ? EXIT.drift : EXIT.ok;
}

/** The options that take a value (`--stack x`): that value is not a path. */
const valueOptions = new Set(
  Object.entries(connectionOptions)
    .filter(([, o]) => o.type === "string")
    .map(([name]) => `--${name}`),
);

function isOptionValue(argv: readonly string[], arg: string): boolean {
  const i = argv.indexOf(arg);
  return i > 0 && valueOptions.has(argv[i - 1]!);
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
