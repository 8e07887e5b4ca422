/**
 * An estate as one component: per user a user licence, a `PbxUser`; per device a SIP-device licence and a
 * `SipDevice`, all parented to the component.
 *
 * Logical names come only from keys (`user/<key>`, `user/<key>/licence`, `device/<key>`,
 * `device/<key>/licence`), so moving a user to another file, reordering users or renaming anyone never
 * re-creates anything. Children's URNs carry the component's type (`pbx:index:Estate$…`) but not its name,
 * so they stay stable for the life of the stack (one stack per estate).
 */
import * as pulumi from "@pulumi/pulumi";
import type { ResolvedEstate } from "../schemas/estate.ts";
import { estateResources, type EstateAdoption, type OutputOf } from "./estate-resources.ts";
import { PbxUser } from "./pbx-user.ts";
import { ServiceSubscription } from "./service-subscription.ts";
import { SipDevice } from "./sip-device.ts";

export { estateNames, parseEstateName, type EstateAdoption } from "./estate-resources.ts";

export const ESTATE_TYPE = "pbx:index:Estate";

export interface EstateArgs {
  estate: ResolvedEstate;
  adopt?: EstateAdoption;
}

export class Estate extends pulumi.ComponentResource {
  /** User key → extension. */
  readonly users: pulumi.Output<Record<string, string>>;
  /** Device key → SIP username. */
  readonly devices: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: EstateArgs, opts?: pulumi.ComponentResourceOptions) {
    super(ESTATE_TYPE, name, {}, opts);
    const parent = { parent: this };
    const licences = new Map<string, ServiceSubscription>();
    const sipDevices = new Map<string, SipDevice>();
    const made = (ref: OutputOf) => {
      const resource = licences.get(ref.outputOf) ?? sipDevices.get(ref.outputOf);
      if (!resource) throw new Error(`internal: ${ref.outputOf} is declared after the resources that use it`);
      return resource;
    };
    const idOf = (ref: OutputOf) => made(ref).id;
    const callPlanOf = (ref: OutputOf) => {
      const licence = made(ref);
      if (!(licence instanceof ServiceSubscription)) throw new Error(`internal: ${ref.outputOf} has no call plan`);
      return licence.callPlan;
    };
    const users: Record<string, pulumi.Output<string>> = {};
    const devices: Record<string, pulumi.Output<string>> = {};
    // One mapping for the program and the CLI's read path: ./estate-resources.ts.
    for (const resource of estateResources(args.estate, args.adopt)) {
      if (resource.type === "ServiceSubscription") {
        licences.set(resource.name, new ServiceSubscription(resource.name, resource.args, parent));
      } else if (resource.type === "SipDevice") {
        const { licenceId, ...rest } = resource.args;
        const device = new SipDevice(resource.name, { ...rest, licenceId: idOf(licenceId) }, parent);
        sipDevices.set(resource.name, device);
        devices[resource.key] = device.sipUsername;
      } else {
        const { licenceId, callPlan, deviceIds, ...rest } = resource.args;
        const user = new PbxUser(
          resource.name,
          {
            ...rest,
            licenceId: idOf(licenceId),
            callPlan: callPlanOf(callPlan),
            deviceIds: deviceIds.map(idOf),
          },
          parent,
        );
        users[resource.key] = user.extension;
      }
    }
    this.users = pulumi.output(users);
    this.devices = pulumi.output(devices);
    this.registerOutputs({ users: this.users, devices: this.devices });
  }
}
