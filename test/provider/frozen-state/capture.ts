/**
 * Writes the frozen stack this folder holds: `frozenEstate` applied with the provider as it is in the
 * working tree, its state exported (stack.json) and the serialized provider of each kind (shims.json).
 * The fixture stands for stacks users already have, so it is written once and never refreshed: run this
 * only to add another frozen stack beside it, never to make a failing compatibility test pass.
 *
 *   node tools/build-provider.ts && node test/provider/frozen-state/capture.ts <folder to write into>
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { providerShim, type ResourceKind } from "../../../sdk/provider-shim.ts";
import { estateEngine, startTestBackend } from "../harness.ts";
import { frozenEstate } from "./estate.ts";

const folder = process.argv[2];
if (!folder) throw new Error("usage: node test/provider/frozen-state/capture.ts <folder>");

/**
 * The state as exported, less what only this capture had: the throwaway backend's address and token (the
 * stack config the default provider records; the test sets its own) and the engine's stack traces (paths
 * of this machine's files).
 */
function withoutCaptureDetails(this: unknown, key: string, value: unknown): unknown {
  if (key === "stackTrace") return undefined;
  if (typeof value !== "string") return value;
  return value.replace(backend.url, "http://capture-backend.invalid").replace(backend.token, "capture-token");
}

// Not `await using`: Node runs this file by stripping types, and its JavaScript has no such statement yet.
const backend = await startTestBackend();
try {
  const engine = await estateEngine(backend, async () => frozenEstate());
  try {
    await engine.up();
    writeFileSync(
      join(folder, "stack.json"),
      `${JSON.stringify(await engine.stack.exportStack(), withoutCaptureDetails, 2)}\n`,
    );
  } finally {
    await engine[Symbol.asyncDispose]();
  }
} finally {
  await backend[Symbol.asyncDispose]();
}
const kinds: ResourceKind[] = ["subscription", "device", "user"];
writeFileSync(
  join(folder, "shims.json"),
  `${JSON.stringify(Object.fromEntries(kinds.map((k) => [k, providerShim(k)])), null, 2)}\n`,
);
