/**
 * The settings `configure` received in this plugin process (or, without a configure call, the environment).
 * Kept apart from the HTTP client so that a preview, which only checks and diffs, never loads it.
 */
import { resolveSettings, type ConfigSource, type Settings } from "./settings.ts";

let configured: Settings | undefined;

export function configureProvider(config: ConfigSource | undefined): void {
  configured = resolveSettings(config);
}

export function configuredSettings(): Settings {
  return configured ?? resolveSettings(undefined);
}
