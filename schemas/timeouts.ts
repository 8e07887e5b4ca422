// How long a run waits for the provisioning backend: reads and writes each have a total deadline,
// retries included, so a backend that stopped answering is reported within it.
import { z } from "zod";

/** Seconds, from stack config or an environment variable (strings) or a program (numbers). */
export const TimeoutSeconds = z.coerce
  .number({ error: "must be a number of seconds" })
  .positive({ error: "must be more than 0 seconds" })
  .max(3600, { error: "must be at most 3600 seconds" });

export const DEFAULT_READ_TIMEOUT_SECONDS = 20;
export const DEFAULT_WRITE_TIMEOUT_SECONDS = 60;

/** Where each timeout is set: stack config key and environment variable. */
export const timeoutSources = {
  read: { config: "pbx:readTimeout", env: "PBX_READ_TIMEOUT", default: DEFAULT_READ_TIMEOUT_SECONDS },
  write: { config: "pbx:writeTimeout", env: "PBX_WRITE_TIMEOUT", default: DEFAULT_WRITE_TIMEOUT_SECONDS },
} as const;
