#!/usr/bin/env node
// `pbx-estate`'s entry point (the package's bin): the process's arguments, streams and exit code.
import "../../runtime/node-version.ts";
import { runCli } from "./dispatch.ts";
import { processIo } from "./io.ts";
import { keepPrivate } from "../../runtime/private-files.ts";

// State, the engine's home and the plan files the engine writes stay this user's only.
keepPrivate([]);

process.exitCode = await runCli(process.argv.slice(2), processIo());
