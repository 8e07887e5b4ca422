/** The SDK's resource types and their type tokens (Pulumi's Node.js dynamic-provider plugin serves them all). */
export type PbxType = "ServiceSubscription" | "SipDevice" | "PbxUser";

export const pbxTypeToken = (type: PbxType): string => `pulumi-nodejs:dynamic/pbx:${type}`;
