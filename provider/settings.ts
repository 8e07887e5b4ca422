/**
 * Where the provider finds the provisioning backend: stack config (`pbx:endpoint`, secret `pbx:token`)
 * handed to `configure`, or the PBX_ENDPOINT / PBX_TOKEN environment variables. Read in the plugin process
 * at run time, never captured into the serialized provider.
 */
export interface Settings {
  endpoint: string;
  token: string;
}

export interface ConfigSource {
  get(key: string): string | undefined;
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
  return { endpoint, token };
}
