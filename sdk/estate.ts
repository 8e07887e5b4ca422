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
import type { ResolvedDevice, ResolvedEstate, ResolvedUser } from "../schemas/estate.ts";
import { PbxUser, type PbxUserArgs } from "./pbx-user.ts";
import { ServiceSubscription } from "./service-subscription.ts";
import { SipDevice } from "./sip-device.ts";

export const ESTATE_TYPE = "pbx:index:Estate";

/** The logical names of an estate's resources; the CLI reads plans back through the same functions. */
export const estateNames = {
  user: (key: string) => `user/${key}`,
  userLicence: (key: string) => `user/${key}/licence`,
  device: (key: string) => `device/${key}`,
  deviceLicence: (key: string) => `device/${key}/licence`,
};

/** What a logical name of an estate resource stands for, or undefined for anything else. */
export function parseEstateName(
  name: string,
): { kind: "user" | "user-licence" | "device" | "device-licence"; key: string } | undefined {
  const match = /^(user|device)\/([a-z0-9][a-z0-9-]*)(\/licence)?$/.exec(name);
  if (!match) return undefined;
  const [, entity, key, licence] = match;
  if (entity === undefined || key === undefined) return undefined;
  if (entity === "user") return { kind: licence ? "user-licence" : "user", key };
  return { kind: licence ? "device-licence" : "device", key };
}

/**
 * Objects made by hand that the estate's keys take over (see `pbx-estate export`): the ids never go into the
 * estate files. Used for the adopting apply only; once in state, the resources keep their objects.
 */
export interface EstateAdoption {
  users: Record<string, { user: string; licence: string }>;
  devices: Record<string, { device: string; licence: string }>;
}

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
    const { estate, adopt } = args;
    const parent = { parent: this };
    const users: Record<string, pulumi.Output<string>> = {};
    const devices: Record<string, pulumi.Output<string>> = {};
    for (const user of estate.users) {
      const made = declareUser(user, estate.acceptTerms, parent, adopt);
      users[user.key] = made.user.extension;
      for (const [key, device] of Object.entries(made.devices)) devices[key] = device.sipUsername;
    }
    this.users = pulumi.output(users);
    this.devices = pulumi.output(devices);
    this.registerOutputs({ users: this.users, devices: this.devices });
  }
}

function declareDevice(
  device: ResolvedDevice,
  user: ResolvedUser,
  termsVersion: string,
  opts: pulumi.CustomResourceOptions,
  adopt?: EstateAdoption,
): SipDevice {
  const adopted = adopt?.devices[device.key];
  const licence = new ServiceSubscription(
    estateNames.deviceLicence(device.key),
    {
      product: "sip-device-licence",
      termsVersion,
      removal: user.removal,
      ...(adopted ? { adopt: adopted.licence } : {}),
    },
    opts,
  );
  return new SipDevice(
    estateNames.device(device.key),
    {
      name: device.name,
      licenceId: licence.id,
      ...(device.rotation === undefined ? {} : { rotation: device.rotation }),
      ...(adopted ? { adopt: adopted.device } : {}),
    },
    opts,
  );
}

function declareUser(
  user: ResolvedUser,
  termsVersion: string,
  opts: pulumi.CustomResourceOptions,
  adopt?: EstateAdoption,
) {
  const adopted = adopt?.users[user.key];
  const licence = new ServiceSubscription(
    estateNames.userLicence(user.key),
    {
      product: "user-licence",
      callPlan: user.callPlan,
      termsVersion,
      removal: user.removal,
      ...(adopted ? { adopt: adopted.licence } : {}),
    },
    opts,
  );
  const devices: Record<string, SipDevice> = {};
  for (const device of user.devices) devices[device.key] = declareDevice(device, user, termsVersion, opts, adopt);
  const pbxUser = new PbxUser(
    estateNames.user(user.key),
    {
      name: user.name,
      extension: user.extension,
      licenceId: licence.id,
      callPlan: licence.callPlan,
      areaPrefix: user.areaPrefix,
      outboundCallerId: user.outboundCallerId,
      recording: user.recording,
      deviceIds: Object.values(devices).map((d) => d.id),
      ...(adopted ? { adopt: adopted.user } : {}),
      // Every argument but `adopt` is set from the estate: a new PbxUser argument does not compile until it is.
    } satisfies Required<Omit<PbxUserArgs, "adopt">> & Pick<PbxUserArgs, "adopt">,
    opts,
  );
  return { user: pbxUser, devices };
}
