// The engine suites run the provider as the plugin loads it, built (tools/build-provider.ts): build it
// from the sources under test first, so no suite runs a stale build.
import { buildProvider } from "../tools/build-provider.ts";

export default async function setup(): Promise<void> {
  await buildProvider();
}
