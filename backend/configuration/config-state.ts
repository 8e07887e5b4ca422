// The shapes of the PBX configuration: devices, users, their links and the licences they hold. Apart from
// model.ts (which changes a configuration) so that its index (config-index.ts) can name them without a cycle.
export interface DeviceState {
  id: string;
  clientReference: string | null;
  name: string;
  licenceId: string;
  sipUsername: string;
  ha1: string;
  passwordFingerprint: string;
  liveVersion: number | null; // null: not live yet
  createdAt: Date | null;
  updatedAt: Date | null;
}

export interface RecordingState {
  enabled: boolean;
  email?: string;
  subject?: string;
}

export interface UserState {
  id: string;
  clientReference: string | null;
  name: string;
  extension: string;
  licenceId: string;
  areaPrefix: string;
  outboundCallerId: string;
  recording: RecordingState;
  liveVersion: number | null;
  createdAt: Date | null;
  updatedAt: Date | null;
}

export interface Licence {
  id: string;
  product: string;
  callPlan: string | null;
  status: string;
  cancellationEffectiveAt: Date | null;
}

export interface Config {
  devices: Map<string, DeviceState>;
  users: Map<string, UserState>;
  /** user id → set of linked device ids (a device may transiently sit in two sets inside a change set). */
  links: Map<string, Set<string>>;
}

export interface Context {
  licences: Map<string, Licence>;
  numbers: string[];
}
