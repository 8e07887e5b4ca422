/**
 * Where the provider finds the provisioning backend: stack config (`pbx:endpoint`, secret `pbx:token`)
 * handed to `configure`, or the PBX_ENDPOINT / PBX_TOKEN environment variables. Read in the plugin process
 * at run time, never captured into the serialized provider. The read and write deadlines come the same
 * way (`pbx:readTimeout` / PBX_READ_TIMEOUT, `pbx:writeTimeout` / PBX_WRITE_TIMEOUT, in seconds), and so do
 * the service terms the run's cancellations accept (`pbx:acceptTerms` / PBX_ACCEPT_TERMS, see accepted-terms.ts).
 */
import type { z } from "zod";
import { timeoutSources, TimeoutSeconds } from "../schemas/timeouts.ts";
import { acceptedTerms } from "./accepted-terms.ts";

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
export function timeoutMs(kind: keyof typeof timeoutSources, config: ConfigSource | undefined, env: NodeJS.ProcessEnv): number {
  const source = timeoutSources[kind];
  return (configured(source, TimeoutSeconds, config, env) ?? source.default) * 1000;
}

export function resolveSettings(config: ConfigSource | undefined, env: NodeJS.ProcessEnv = process.env): Settings {
  const endpoint = config?.get("pbx:endpoint") ?? env.PBX_ENDPOINT;
  const token = config?.get("pbx:token") ?? env.PBX_TOKEN;
  const missing = [
    endpoint ? undefined : "the backend endpoint (stack config pbx:endpoint or PBX_ENDPOINT)",
    token ? undefined : "an API token (secret stack config pbx:token or PBX_TOKEN)",
  ].filter(Boolean);
  if (missing.length > 0 || !endpoint || !token) {
    throw new Error(`pbx-estate provider is not configured: set ${missing.join(" and ")}`);
  }
  if (!/^https?:\/\//.test(endpoint)) throw new Error(`pbx:endpoint must be an http(s) URL, got ${JSON.stringify(endpoint)}`);
  return {
    endpoint,
    token,
    readTimeoutMs: timeoutMs("read", config, env),
    writeTimeoutMs: timeoutMs("write", config, env),
    acceptTerms: acceptedTerms(config, env),
  };
}
