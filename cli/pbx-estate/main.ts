// `pbx-estate`'s entry point, started by bin/pbx-estate.js: the process's arguments, streams and exit code.
import { runCli } from "./dispatch.ts";
import { processIo } from "./io.ts";

process.exitCode = await runCli(process.argv.slice(2), processIo());
