// The YAML estate file (pbx-estate/v1): its two document kinds, and the resolved estate a loader builds
// from them. Field rules come from the shared schemas, so a file, the provider and the backend agree.
import { z } from "zod";
import { CallPlanId } from "./catalogue.ts";
import { E164 } from "./common.ts";
import { DeviceName, ROTATION_MAX_LENGTH } from "./device.ts";
import { OrderCreate } from "./order.ts";
import { RemovalPolicy } from "./subscription.ts";
import { AreaPrefix, Extension, MAX_DEVICES_PER_USER, Recording, UserCreate } from "./user.ts";
import { lineText } from "./text.ts";

export { RemovalPolicy };

export const ESTATE_API_VERSION = "pbx-estate/v1";
export const SUPPORTED_API_VERSIONS: readonly string[] = [ESTATE_API_VERSION];
export const DOCUMENT_KINDS = ["Estate", "UserGroup"] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** Immutable identity of a user, a device, a group or the estate: changing it means remove and re-create. */
export const EstateKey = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "must be 1 to 63 lowercase letters, digits or dashes, not starting with a dash");

/**
 * A declared device's `rotation`: a SipDevice's (schemas/device.ts), but trimmed and not empty, since an
 * empty value in a file is a mistake rather than a password version.
 */
export const Rotation = lineText(ROTATION_MAX_LENGTH);

const defaultFields = {
  callPlan: CallPlanId.optional().describe(
    "Call plan of the user licence: pay-as-you-go, national-unlimited or international.",
  ),
  areaPrefix: AreaPrefix.optional().describe(
    'Area prefix for local dialling, e.g. "020" (quote it: a leading zero matters).',
  ),
  outboundCallerId: E164.optional().describe(
    "Outbound caller ID in E.164 (e.g. +442079460000); must be one of the account's numbers.",
  ),
  recording: Recording.optional().describe("Call recording: { enabled: false } or { enabled: true, email, subject }."),
  removal: RemovalPolicy.optional().describe(
    "When a removed user's or device's licence ends: end-of-month (default) or immediately.",
  ),
};

export const EstateDefaults = z.object(defaultFields).strict().meta({
  id: "EstateDefaults",
  description: "Values for every user that does not set them; a group's defaults override the estate's.",
});
export type EstateDefaults = z.infer<typeof EstateDefaults>;

export const EstateDevice = z
  .object({
    key: EstateKey.describe("Immutable identity of the device, unique across the estate, e.g. john-desk-phone."),
    name: DeviceName.describe("Display name, e.g. John's Desk Phone."),
    rotation: Rotation.optional().describe('Optional; changing it (e.g. "2026-11") rotates the SIP password.'),
  })
  .strict()
  .meta({ id: "EstateDevice", description: "A SIP device (desk phone or softphone) with its own SIP-device licence." });
export type EstateDevice = z.infer<typeof EstateDevice>;

export const EstateUser = z
  .object({
    key: EstateKey.describe(
      "Immutable identity of the user, unique across the estate, e.g. john. Renaming it replaces the user.",
    ),
    name: UserCreate.shape.name.describe("Display name, e.g. John Smith."),
    extension: Extension.describe(
      'Internal extension, 2 to 5 digits and not an emergency number, e.g. "201" (quote it).',
    ),
    ...defaultFields,
    devices: z
      .array(EstateDevice)
      .max(MAX_DEVICES_PER_USER)
      .optional()
      .describe("The user's SIP devices, each with its own licence."),
  })
  .strict()
  .meta({
    id: "EstateUser",
    description: "A PBX user with a user licence; unset fields come from the group's and the estate's defaults.",
  });
export type EstateUser = z.infer<typeof EstateUser>;

const Users = z.array(EstateUser);

export const EstateDocument = z
  .object({
    apiVersion: z.literal(ESTATE_API_VERSION).describe("Version of the estate file format."),
    kind: z.literal("Estate").describe("Exactly one document of an estate has kind Estate."),
    metadata: z
      .object({
        name: EstateKey.describe("The estate's name, used as the stack name: lowercase letters, digits and dashes."),
      })
      .strict(),
    spec: z
      .object({
        acceptTerms: OrderCreate.shape.termsVersion.describe(
          "The service terms version every licence order accepts, e.g. 2025-01.",
        ),
        defaults: EstateDefaults.optional(),
        users: Users.optional().describe("Users declared in the Estate document itself (groups may declare more)."),
      })
      .strict(),
  })
  .strict()
  .meta({
    id: "EstateDocument",
    title: "Estate",
    description: "The estate: its name, the accepted terms and the defaults for every user.",
  });
export type EstateDocument = z.infer<typeof EstateDocument>;

export const UserGroupDocument = z
  .object({
    apiVersion: z.literal(ESTATE_API_VERSION).describe("Version of the estate file format."),
    kind: z.literal("UserGroup").describe("A group of users, e.g. one per site or team."),
    metadata: z
      .object({
        name: EstateKey.describe("The group's name, unique within the estate: lowercase letters, digits and dashes."),
      })
      .strict(),
    spec: z
      .object({
        defaults: EstateDefaults.optional().describe("Override the estate's defaults for this group's users only."),
        users: Users.describe("The group's users."),
      })
      .strict(),
  })
  .strict()
  .meta({
    id: "UserGroupDocument",
    title: "UserGroup",
    description: "A group of users sharing defaults (e.g. a site's area prefix).",
  });
export type UserGroupDocument = z.infer<typeof UserGroupDocument>;

/** Any document of an estate file; what the generated JSON Schema describes. */
export const EstateFileDocument = z.discriminatedUnion("kind", [EstateDocument, UserGroupDocument]).meta({
  title: "pbx-estate file document",
  description: "One YAML document of a pbx-estate file: an Estate or a UserGroup.",
});

/** Where something was declared: file as given to the loader, 1-based line and column. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** A declared device, where it was declared. */
export type ResolvedDevice = EstateDevice & { location: SourceLocation };

/**
 * A user with every default applied: built-in ← Estate defaults ← group defaults ← the user's own fields.
 * Derived from EstateUser, so a field added to the file format is a field the loader must resolve.
 */
export type ResolvedUser = Omit<EstateUser, keyof EstateDefaults | "devices"> & {
  [F in keyof EstateDefaults]-?: NonNullable<EstateDefaults[F]>;
} & {
  devices: ResolvedDevice[];
  /** Where the user was declared; the group is informational, so it travels with the location. */
  location: SourceLocation & { group: string | null };
};

/** The estate as declared, independent of how it is split into files; users ordered by key. */
export interface ResolvedEstate {
  name: string;
  acceptTerms: string;
  users: ResolvedUser[];
  location: SourceLocation;
}
