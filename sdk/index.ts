/** pbx-estate's SDK: the resources a Pulumi program declares a PBX estate with. */
export { ServiceSubscription, type ServiceSubscriptionArgs, type RemovalPolicy } from "./service-subscription.ts";
export { SipDevice, type SipDeviceArgs, type Registrar } from "./sip-device.ts";
export { PbxUser, type PbxUserArgs, type OutboundRecording } from "./pbx-user.ts";
export { Estate, type EstateArgs, ESTATE_TYPE, estateNames, parseEstateName } from "./estate.ts";
export {
  loadEstate,
  formatError,
  type LoadResult,
  type EstateFileError,
  type ResolvedEstate,
} from "../estate/files/index.ts";
