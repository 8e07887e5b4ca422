/**
 * The service terms a run accepts when it cancels licences. A delete sees only what state recorded — the
 * terms accepted when the licence was ordered, which may no longer be the current ones — so the terms the
 * run accepts now come from outside the resource: stack config `pbx:acceptTerms` (a program of your own) or
 * PBX_ACCEPT_TERMS (the CLI sets it from the estate's `acceptTerms`). Stack config wins, as for the endpoint.
 */
import { AcceptedTerms } from "../schemas/catalogue.ts";
import { configured, type ConfigSource } from "./settings.ts";

export const ACCEPT_TERMS_CONFIG = "pbx:acceptTerms";
export const ACCEPT_TERMS_ENV = "PBX_ACCEPT_TERMS";

/** The terms this run accepts, or undefined when neither source sets them; a bad value is refused, naming its source. */
export function acceptedTerms(config: ConfigSource | undefined, env: NodeJS.ProcessEnv): string | undefined {
  return configured({ config: ACCEPT_TERMS_CONFIG, env: ACCEPT_TERMS_ENV }, AcceptedTerms, config, env);
}
