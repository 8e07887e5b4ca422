/**
 * `npm run setup:pulumi`: makes the pinned Pulumi CLI available (see docs/development.md, "The Pulumi CLI").
 * Exits 0 with the CLI's path on stdout's last line, or 1 with what to install.
 */
import { buildPulumi, GoMissingError } from "./pulumi-cli/build.ts";
import {
  cliVersion,
  locatePulumi,
  NamedPulumiUnusableError,
  pinnedPulumiVersion,
  PULUMI_BINARY_VARIABLE,
} from "./pulumi-cli/locate.ts";

const sourceNames = { variable: PULUMI_BINARY_VARIABLE, path: "PATH", cache: "the build cache" } as const;
const quiet = process.argv.includes("--quiet-when-ready");
const log = (line: string) => console.error(`[setup:pulumi] ${line}`);

async function main(): Promise<number> {
  const pinned = pinnedPulumiVersion();
  let found;
  try {
    found = await locatePulumi(pinned);
  } catch (error) {
    if (!(error instanceof NamedPulumiUnusableError)) throw error;
    log(error.message);
    return 1;
  }
  if (found) {
    if (!quiet) log(`using ${found.binary} (${found.version}, from ${sourceNames[found.source]})`);
    return 0;
  }
  try {
    const built = await buildPulumi(pinned, log);
    const version = await cliVersion(built);
    if (version !== pinned) {
      log(`the CLI built at ${built} reports ${version ?? "no version"}, expected ${pinned}`);
      return 1;
    }
    return 0;
  } catch (error) {
    if (error instanceof GoMissingError) {
      log(`no Pulumi CLI ${pinned} or newer on PATH, and Go is not installed to build one.`);
      log(`Install the Pulumi CLI with the official installer (https://www.pulumi.com/docs/install/),`);
      log(`or install Go 1.26 or newer and run \`npm run setup:pulumi\` again to build ${pinned} from source.`);
      return 1;
    }
    log(error instanceof Error ? error.message : String(error));
    return 1;
  }
}

process.exitCode = await main();
