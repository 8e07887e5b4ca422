/**
 * The provider's settings. Where it finds the provisioning backend: stack config (`pbx:endpoint`, secret
 * `pbx:token`) handed to `configure`, or the PBX_ENDPOINT / PBX_TOKEN environment variables. Read in the
 * plugin process at run time, never captured into the serialized provider. The read and write deadlines
 * come the same way (`pbx:readTimeout` / PBX_READ_TIMEOUT, `pbx:writeTimeout` / PBX_WRITE_TIMEOUT, in
 * seconds), and so do the service terms the run's cancellations accept (`pbx:acceptTerms` /
 * PBX_ACCEPT_TERMS, see `acceptedTerms`).
 *
 * No HTTP client here: `configure` stores the settings at every run, and a preview, which only checks and
 * diffs, must not load the client (see index.ts).
 */
import type { z } from "zod";
import { AcceptedTerms } from "../schemas/catalogue.ts";
import { timeoutSources, TimeoutSeconds } from "../schemas/timeouts.ts";

export interface Settings {
  endpoint: string;
  token: string;
  readTimeoutMs: number;
  writeTimeoutMs: number;
  /** The service terms this run accepts when it cancels; undefined: each licence's recorded terms. */
  acceptTerms: string | undefined;
}

export interface ConfigSource {
  get(key: string): string | undefined;
}

export const ENDPOINT_ENV = "PBX_ENDPOINT";
export const TOKEN_ENV = "PBX_TOKEN";
export const ACCEPT_TERMS_CONFIG = "pbx:acceptTerms";
export const ACCEPT_TERMS_ENV = "PBX_ACCEPT_TERMS";

/**
 * A setting from stack config, else its environment variable, checked by `schema`; undefined when neither
 * is set. A bad value is refused, naming where it came from.
 */
export function configured<T>(
  source: { config: string; env: string },
  schema: z.ZodType<T>,
  config: ConfigSource | undefined,
  env: NodeJS.ProcessEnv,
): T | undefined {
  const fromConfig = config?.get(source.config);
  const raw = fromConfig ?? env[source.env];
  if (raw === undefined || raw === "") return undefined;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const where = fromConfig !== undefined ? `stack config ${source.config}` : source.env;
    throw new Error(`${where} ${parsed.error.issues[0]?.message ?? "is not valid"}, got ${JSON.stringify(raw)}`);
  }
  return parsed.data;
}

/** A deadline in milliseconds from its config key or variable, or its default. */
export function timeoutMs(
  kind: keyof typeof timeoutSources,
  config: ConfigSource | undefined,
  env: NodeJS.ProcessEnv,
): number {
  const source = timeoutSources[kind];
  return (configured(source, TimeoutSeconds, config, env) ?? source.default) * 1000;
}

/**
 * The service terms a run accepts when it cancels licences, or undefined when neither source sets them. A
 * delete sees only what state recorded — the terms accepted when the licence was ordered, which may no
 * longer be the current ones — so the terms the run accepts now come from outside the resource: stack
 * config `pbx:acceptTerms` (a program of your own) or PBX_ACCEPT_TERMS (the CLI sets it from the estate's
 * `acceptTerms`). Stack config wins, as for the endpoint; a bad value is refused, naming its source.
 */
export function acceptedTerms(config: ConfigSource | undefined, env: NodeJS.ProcessEnv): string | undefined {
  return configured({ config: ACCEPT_TERMS_CONFIG, env: ACCEPT_TERMS_ENV }, AcceptedTerms, config, env);
}

export function resolveSettings(config: ConfigSource | undefined, env: NodeJS.ProcessEnv = process.env): Settings {
  const endpoint = config?.get("pbx:endpoint") ?? env[ENDPOINT_ENV];
  const token = config?.get("pbx:token") ?? env[TOKEN_ENV];
  const missing = [
    endpoint ? undefined : `the backend endpoint (stack config pbx:endpoint or ${ENDPOINT_ENV})`,
    token ? undefined : `an API token (secret stack config pbx:token or ${TOKEN_ENV})`,
  ].filter(Boolean);
  if (missing.length > 0 || !endpoint || !token) {
    throw new Error(`pbx-estate provider is not configured: set ${missing.join(" and ")}`);
  }
  if (!/^https?:\/\//.test(endpoint))
    throw new Error(`pbx:endpoint must be an http(s) URL, got ${JSON.stringify(endpoint)}`);
  return {
    endpoint,
    token,
    readTimeoutMs: timeoutMs("read", config, env),
    writeTimeoutMs: timeoutMs("write", config, env),
    acceptTerms: acceptedTerms(config, env),
  };
}

/**
 * The environment that hands the plugin process these settings (a runner's side of `resolveSettings`); a
 * setting left out is left to the plugin's own environment or its default.
 */
export function settingsEnvironment(settings: Partial<Settings>): Record<string, string> {
  const { read, write } = timeoutSources;
  const values: [string, string | undefined][] = [
    [ENDPOINT_ENV, settings.endpoint],
    [TOKEN_ENV, settings.token],
    [read.env, settings.readTimeoutMs === undefined ? undefined : String(settings.readTimeoutMs / 1000)],
    [write.env, settings.writeTimeoutMs === undefined ? undefined : String(settings.writeTimeoutMs / 1000)],
    [ACCEPT_TERMS_ENV, settings.acceptTerms],
  ];
  return Object.fromEntries(values.filter((entry): entry is [string, string] => entry[1] !== undefined));
}

let configuredInProcess: Settings | undefined;

/** Stores the settings `configure` received in this plugin process. */
export function configureProvider(config: ConfigSource | undefined): void {
  configuredInProcess = resolveSettings(config);
}

/** The settings `configure` received in this plugin process (or, without a configure call, the environment). */
export function configuredSettings(): Settings {
  return configuredInProcess ?? resolveSettings(undefined);
}
