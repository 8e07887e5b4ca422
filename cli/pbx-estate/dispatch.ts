/**
 * The dispatcher of `pbx-estate`: picks the command, prints help, and turns every error into one exit
 * code. `runCli` is the whole program, so other tools can call it with their own streams.
 */
import { commands } from "./commands.ts";
import { eachOptions, EACH_COMMANDS, runEach } from "./each-estate.ts";
import { EXIT, exitCodeFor, messageOf, UsageError } from "./errors.ts";
import type { Io } from "./io.ts";
import { packageVersion } from "../../runtime/package-info.ts";

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    "Usage: pbx-estate <command> [options]",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Exit codes: 0 done, 1 failure, 2 drift found (drift), 3 refused: nothing changed (apply, destroy).",
    `Several estates: \`pbx-estate <${EACH_COMMANDS.join("|")}> --each <folder> [--jobs N]\` runs the command for every`,
    "subfolder of <folder> holding estate files (one estate each), at most N at a time (default 4).",
    "Run `pbx-estate <command> --help` for a command's options.",
  ].join("\n");
}

export async function runCli(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    const topic = name === "help" ? commands.find((c) => c.name === rest[0]) : undefined;
    io.out(topic ? topic.help : overview());
    return name === undefined ? EXIT.failure : EXIT.ok;
  }
  if (name === "--version") {
    io.out(packageVersion());
    return EXIT.ok;
  }
  const command = commands.find((c) => c.name === name);
  try {
    if (!command) throw new UsageError(`unknown command ${JSON.stringify(name)}\n\n${overview()}`);
    if (rest.includes("--help") || rest.includes("-h")) {
      io.out(command.help);
      return EXIT.ok;
    }
    const each = eachOptions(rest);
    return each ? await runEach(command, each, io) : await command.run(rest, io);
  } catch (error) {
    io.err(`pbx-estate${command ? ` ${command.name}` : ""}: ${messageOf(error)}`);
    if (error instanceof UsageError && command) io.err(`\n${command.help}`);
    return exitCodeFor(error);
  }
}
