#!/usr/bin/env node
// `pbx-estate`'s entry point (the package's bin): the process's arguments, streams and exit code.
import "../node-version.ts";
import { runCli } from "./dispatch.ts";
import { processIo } from "./io.ts";

process.exitCode = await runCli(process.argv.slice(2), processIo());
