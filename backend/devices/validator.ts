// Device rules that need the configuration. The licence and link rules live in configuration/model.ts,
// where staging and apply both run them.
import type { Config } from "../configuration/model.ts";

/** The device already made under this clientReference, if any: a retried create answers with it. */
export function existingDeviceByReference(view: Config, clientReference: string | undefined): string | null {
  if (clientReference === undefined) return null;
  for (const d of view.devices.values()) if (d.clientReference === clientReference) return d.id;
  return null;
}
