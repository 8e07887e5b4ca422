// User rules that need the configuration. Extension uniqueness is a live-configuration rule checked at apply
// (configuration/model.ts checkLiveRules); licence, call plan and caller ID are checked at every step.
import type { Config } from "../configuration/model.ts";

export function existingUserByReference(view: Config, clientReference: string | undefined): string | null {
  if (clientReference === undefined) return null;
  for (const u of view.users.values()) if (u.clientReference === clientReference) return u.id;
  return null;
}
