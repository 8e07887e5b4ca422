/**
 * The SIP registrar: Kamailio started and supervised on loopback, fed with applied revisions.
 *
 *   const registrar = await startRegistrar({ dataDir, trunk });      // or point at one started elsewhere
 *   await publishSnapshot(registrar, snapshot);                       // after the apply has committed
 *
 * See registrar/README.md for the snapshot shape, the tables and the dial plan; the media relay beside it
 * (rtpengine) is in ./relay/.
 */
export { startRegistrar, REGISTRAR_PACKAGES } from "./supervisor.ts";
export type { RunningRegistrar, StartRegistrarOptions } from "./supervisor.ts";
export { publishSnapshot, publishWith } from "./publish.ts";
export type { PublishResult, RegistrarTarget } from "./publish.ts";
export { openRegistrarStore, RECORDING_RELAY_UNAVAILABLE } from "./store.ts";
export type { RecordingCall, RecordingEvent, RegistrarDatabase, RegistrarStore, WriteResult } from "./store.ts";
export { dropRegistrations, registeredContacts } from "./control.ts";
export { RevisionSnapshot, sipHa1, REGISTRAR_REALM, CALL_PLANS, DESTINATIONS_BY_CALL_PLAN } from "./snapshot.ts";
export type { CallPlan, SnapshotDevice, SnapshotRecording, SnapshotUser, TrunkDestination } from "./snapshot.ts";
export {
  InvalidSnapshotError,
  RegistrarControlError,
  RegistrarNotInstalledError,
  RegistrarStartError,
} from "./errors.ts";
export {
  ngRequest,
  RelayCommandError,
  RelayNotInstalledError,
  RelayStartError,
  RelayTimeoutError,
  startRelay,
} from "./relay/index.ts";
export type { NgAddress, NgAnswer, RunningRelay, StartRelayOptions } from "./relay/index.ts";
