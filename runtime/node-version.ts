// Imported first by every command: refuses a Node older than package.json's `engines` with a message that
// says so, instead of a crash somewhere inside a dependency.
import { minimumNodeVersion } from "./package-info.ts";

const minimum = minimumNodeVersion().split(".").map(Number);
const running = process.versions.node.split(".").map(Number);
const differing = [0, 1, 2].find((i) => running[i] !== minimum[i]);
if (differing !== undefined && (running[differing] ?? 0) < (minimum[differing] ?? 0)) {
  process.stderr.write(`pbx-estate needs Node.js ${minimumNodeVersion()} or newer; this is ${process.version}.\n`);
  process.exit(1);
}
