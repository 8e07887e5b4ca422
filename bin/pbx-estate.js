#!/usr/bin/env node
// `npx pbx-estate`: starts the TypeScript CLI with Node's type stripping (no build step). Node 22.18+ strips
// types by default; 22.6 to 22.17 need --experimental-strip-types; an older Node hands over to the Node 22
// that `npm ci` installs as the `node` dev dependency, when there is one.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import process from "node:process";
import { fileURLToPath, URL } from "node:url";

const entry = fileURLToPath(new URL("../cli/pbx-estate/main.ts", import.meta.url));
const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);

function handOver(node, flags) {
  const result = spawnSync(node, [...flags, entry, ...process.argv.slice(2)], { stdio: "inherit" });
  if (result.error) {
    process.stderr.write(`pbx-estate: could not start ${node}: ${result.error.message}\n`);
    process.exit(1);
  }
  process.exit(result.status ?? 1);
}

if (process.features.typescript) {
  await import(new URL("../cli/pbx-estate/main.ts", import.meta.url).href);
} else if (major > 22 || (major === 22 && minor >= 6)) {
  handOver(process.execPath, ["--experimental-strip-types", "--no-warnings=ExperimentalWarning"]);
} else {
  const bundled = fileURLToPath(new URL("../node_modules/.bin/node", import.meta.url));
  if (!existsSync(bundled)) {
    process.stderr.write(`pbx-estate needs Node.js 22.6 or newer (this is ${process.version}); run \`npm ci\` or install Node 22.\n`);
    process.exit(1);
  }
  handOver(bundled, []);
}
