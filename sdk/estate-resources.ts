/**
 * What an estate declares, resource by resource: per logical name its kind and its arguments, where an
 * argument taken from another resource is named as that resource's output. One mapping for every reader:
 * the `Estate` component (./estate.ts) registers these resources with the engine, and the CLI's read path
 * (cli/pbx-estate/read-path/) works out the inputs the engine would see from the same list.
 *
 * The order is the component's registration order: per user its licence, then per device its licence and
 * the device, then the user.
 */
import type { ResolvedDevice, ResolvedEstate, ResolvedUser } from "../schemas/estate.ts";
import type { SameFields } from "../schemas/same-fields.ts";
import type { PbxType } from "./pbx-type.ts";
import type { PbxUserArgs } from "./pbx-user.ts";
import type { ServiceSubscriptionArgs } from "./service-subscription.ts";
import type { SipDeviceArgs } from "./sip-device.ts";

/** The logical names of an estate's resources; the CLI reads plans back through the same functions. */
export const estateNames = {
  user: (key: string) => `user/${key}`,
  userLicence: (key: string) => `user/${key}/licence`,
  device: (key: string) => `device/${key}`,
  deviceLicence: (key: string) => `device/${key}/licence`,
};

export type EstateResourceKind = "user" | "user-licence" | "device" | "device-licence";

/** What a logical name of an estate resource stands for, or undefined for anything else. */
export function parseEstateName(name: string): { kind: EstateResourceKind; key: string } | undefined {
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

/** An output of another resource of the estate, named by its logical name. */
export interface OutputOf {
  outputOf: string;
  output: "id" | "callPlan";
}

export function isOutputOf(value: unknown): value is OutputOf {
  return typeof value === "object" && value !== null && "outputOf" in value && "output" in value;
}

export interface DeclaredLicenceArgs {
  product: "user-licence" | "sip-device-licence";
  callPlan?: ResolvedUser["callPlan"];
  termsVersion: string;
  removal: ResolvedUser["removal"];
  adopt?: string;
}

export interface DeclaredDeviceArgs {
  name: string;
  licenceId: OutputOf;
  rotation?: string;
  adopt?: string;
}

export interface DeclaredUserArgs {
  name: string;
  extension: string;
  licenceId: OutputOf;
  callPlan: OutputOf;
  areaPrefix: string;
  outboundCallerId: string;
  recording: ResolvedUser["recording"];
  deviceIds: OutputOf[];
  adopt?: string;
}

// Every SDK argument is declared (a new one does not compile until the mapping sets it); a licence leaves
// `claimPending` to its default.
export const deviceArgsDeclared: SameFields<SipDeviceArgs, DeclaredDeviceArgs> = true;
export const userArgsDeclared: SameFields<PbxUserArgs, DeclaredUserArgs> = true;
export const licenceArgsDeclared: SameFields<Omit<ServiceSubscriptionArgs, "claimPending">, DeclaredLicenceArgs> = true;

interface Declared<K extends EstateResourceKind, T extends PbxType, A> {
  name: string;
  kind: K;
  key: string;
  type: T;
  args: A;
}

export type DeclaredResource =
  | Declared<"user-licence" | "device-licence", "ServiceSubscription", DeclaredLicenceArgs>
  | Declared<"device", "SipDevice", DeclaredDeviceArgs>
  | Declared<"user", "PbxUser", DeclaredUserArgs>;

function deviceResources(
  device: ResolvedDevice,
  user: ResolvedUser,
  termsVersion: string,
  adopt: EstateAdoption | undefined,
): DeclaredResource[] {
  const adopted = adopt?.devices[device.key];
  const licence = estateNames.deviceLicence(device.key);
  return [
    {
      name: licence,
      kind: "device-licence",
      key: device.key,
      type: "ServiceSubscription",
      args: {
        product: "sip-device-licence",
        termsVersion,
        removal: user.removal,
        ...(adopted ? { adopt: adopted.licence } : {}),
      },
    },
    {
      name: estateNames.device(device.key),
      kind: "device",
      key: device.key,
      type: "SipDevice",
      args: {
        name: device.name,
        licenceId: { outputOf: licence, output: "id" },
        ...(device.rotation === undefined ? {} : { rotation: device.rotation }),
        ...(adopted ? { adopt: adopted.device } : {}),
      },
    },
  ];
}

function userResources(
  user: ResolvedUser,
  termsVersion: string,
  adopt: EstateAdoption | undefined,
): DeclaredResource[] {
  const adopted = adopt?.users[user.key];
  const licence = estateNames.userLicence(user.key);
  return [
    {
      name: licence,
      kind: "user-licence",
      key: user.key,
      type: "ServiceSubscription",
      args: {
        product: "user-licence",
        callPlan: user.callPlan,
        termsVersion,
        removal: user.removal,
        ...(adopted ? { adopt: adopted.licence } : {}),
      },
    },
    ...user.devices.flatMap((device) => deviceResources(device, user, termsVersion, adopt)),
    {
      name: estateNames.user(user.key),
      kind: "user",
      key: user.key,
      type: "PbxUser",
      args: {
        name: user.name,
        extension: user.extension,
        licenceId: { outputOf: licence, output: "id" },
        callPlan: { outputOf: licence, output: "callPlan" },
        areaPrefix: user.areaPrefix,
        outboundCallerId: user.outboundCallerId,
        recording: user.recording,
        deviceIds: user.devices.map((d) => ({ outputOf: estateNames.device(d.key), output: "id" as const })),
        ...(adopted ? { adopt: adopted.user } : {}),
      },
    },
  ];
}

/** Every resource the estate declares, in registration order. */
export function estateResources(estate: ResolvedEstate, adopt?: EstateAdoption): DeclaredResource[] {
  return estate.users.flatMap((user) => userResources(user, estate.acceptTerms, adopt));
}
