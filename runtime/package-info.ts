// This package's own manifest, found as Node finds the package (the clone in development, the installed
// folder otherwise), so nothing depends on where the built or source files sit.
import { createRequire } from "node:module";
import { dirname } from "node:path";

const require = createRequire(import.meta.url);
const manifest = require("pbx-estate/package.json") as { version: string; engines: { node: string } };

/** This package's folder: the clone in development, `node_modules/pbx-estate` when installed. */
export const packageRoot = dirname(require.resolve("pbx-estate/package.json"));

export function packageVersion(): string {
  return manifest.version;
}

/** The lowest Node version package.json's `engines` accepts (it is written `>=X.Y.Z`). */
export function minimumNodeVersion(): string {
  const match = /^>=\s*(\d+\.\d+\.\d+)$/.exec(manifest.engines.node);
  if (!match?.[1])
    throw new Error(`package.json engines.node must read ">=X.Y.Z", not ${JSON.stringify(manifest.engines.node)}`);
  return match[1];
}
