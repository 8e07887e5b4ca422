#!/usr/bin/env node
// `pbx-estate-backend`: the provisioning backend's commands (serve, create-account, add-token).
import "../../runtime/node-version.ts";
import { addTokenCommand, createAccountCommand } from "./admin.ts";
import { UsageError, type BackendCommand } from "./options.ts";
import { serveCommand } from "./serve.ts";
import { packageVersion } from "../../runtime/package-info.ts";

const commands: BackendCommand[] = [serveCommand, createAccountCommand, addTokenCommand];

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    "Usage: pbx-estate-backend <command> [options]",
    "",
    "The provisioning backend that pbx-estate's provider and CLI talk to.",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Run `pbx-estate-backend <command> --help` for a command's options; --version prints the version.",
  ].join("\n");
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    const topic = name === "help" ? commands.find((c) => c.name === rest[0]) : undefined;
    process.stdout.write(`${topic ? topic.help : overview()}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === "--version") {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`pbx-estate-backend: unknown command ${JSON.stringify(name)}\n\n${overview()}\n`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(`${command.help}\n`);
    return 0;
  }
  try {
    return await command.run(rest, packageVersion());
  } catch (error) {
    // RegistrarNotInstalledError's message names the Debian packages to install.
    process.stderr.write(
      `pbx-estate-backend ${command.name}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    if (error instanceof UsageError) {
      process.stderr.write(`\n${command.help}\n`);
      return 2;
    }
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
