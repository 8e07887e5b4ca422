import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Engine tests start the real Pulumi CLI and its plugins: give them time, and keep two cores from
// being oversubscribed by running test files in separate processes, one per core.
export default defineConfig({
  // Suites test the sources: "pbx-estate" (an example's import) is the SDK's source, not the build in dist/,
  // which test/package tests as users install it.
  resolve: {
    alias: [{ find: /^pbx-estate$/, replacement: fileURLToPath(new URL("./sdk/index.ts", import.meta.url)) }],
  },
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", "dist/**"],
    globalSetup: ["test/build-provider.global-setup.ts"],
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
