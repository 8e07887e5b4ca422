/**
 * Builds the provider that Pulumi's dynamic-provider plugin loads (`pbx-estate/provider`) into one ES
 * module, dist/provider.mjs, with zod, undici and deep-diff inside it.
 *
 * Why: the plugin loads the provider at the first call of every engine run, while the engine's first calls
 * wait. From source that cost 420–600 ms of CPU in a fresh process (Node's type stripping, then some 150
 * files resolved and compiled one by one); the built module loads in 70–100 ms. Node also does not strip
 * types under `node_modules`, so a build is what an installed package needs.
 *
 * `npm ci` (prepare), `npm test` (the suite's global set-up), `npm start` and `npm run bench` run it;
 * after editing provider/ or schemas/ outside those, run `npm run build`.
 */
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const builtProvider = `${root}dist/provider.mjs`;

export async function buildProvider(): Promise<void> {
  await build({
    absWorkingDir: root,
    entryPoints: ["provider/index.ts"],
    outfile: builtProvider,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    // Loaded at run time from the program's own node_modules (provider/engine-log.ts): the plugin's instances.
    external: ["@pulumi/pulumi", "@grpc/grpc-js"],
    // The CommonJS packages inside (undici) call `require` for Node's built-in modules.
    banner: {
      js: 'import { createRequire as __pbxCreateRequire } from "node:module"; const require = __pbxCreateRequire(import.meta.url);',
    },
    // @pulumi/pulumi installs source-map-support in the plugin, which parsed this module's 3.5 MB map
    // (0.4 s of CPU) the first time an error's stack was taken, such as an idle socket's timeout.
    sourcemap: false,
    logLevel: "warning",
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildProvider();
