/**
 * `npm run build` (and `prepack`, `npm ci`'s prepare, `npm start`): everything the package ships, in dist/.
 *
 * - The ES modules and declarations of every source the package offers, one file per source file, from
 *   tsc itself (tsconfig.build.json; `.ts` imports rewritten to `.js`). tsc rather than a bundler: the
 *   declarations must come from tsc anyway, one tool then makes both from one configuration, and the
 *   output keeps the sources' layout, so paths, stack traces and dynamic imports read as in the sources.
 * - The provider the dynamic-provider plugin loads, bundled into one module (./build-provider.ts says why).
 * - First, the Pulumi version pinned in tools/pulumi-cli/go.mod, written into a module the package ships.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildProvider } from "./build-provider.ts";
import { writeVersionModule } from "./pulumi-cli/go-mod.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

export async function buildPackage(): Promise<void> {
  writeVersionModule();
  rmSync(`${root}dist`, { recursive: true, force: true });
  const tsc = spawnSync(
    process.execPath,
    [`${root}node_modules/typescript/bin/tsc`, "-p", `${root}tsconfig.build.json`],
    { stdio: "inherit" },
  );
  if (tsc.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed (exit ${tsc.status ?? tsc.signal})`);
  // npm makes an installed package's bins executable, but `npx pbx-estate` in a clone runs the file itself.
  const { bin } = JSON.parse(readFileSync(`${root}package.json`, "utf8")) as { bin: Record<string, string> };
  for (const file of Object.values(bin)) chmodSync(`${root}${file}`, 0o755);
  await buildProvider();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildPackage();
