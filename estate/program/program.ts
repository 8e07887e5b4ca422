/**
 * The one Pulumi program of an estate: the CLI, the demo and the root Pulumi.yaml all run this, so a
 * stack applied by one is seen unchanged by the others.
 */
import type { PulumiFn } from "@pulumi/pulumi/automation/index.js";
import type { ResolvedEstate } from "../../schemas/estate.ts";
import { Estate, type EstateAdoption } from "../../sdk/estate.ts";

/** `adopt`: existing objects the keys take over, for `pbx-estate export`'s adopting apply. */
export function estateProgram(estate: ResolvedEstate, adopt?: EstateAdoption): PulumiFn {
  return async () => {
    const component = new Estate(estate.name, { estate, ...(adopt ? { adopt } : {}) });
    return { users: component.users, devices: component.devices };
  };
}
