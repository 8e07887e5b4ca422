/**
 * A small estate as the backend would publish it: John on a national plan with a desk phone, Mary on an
 * international plan with a desk phone and a softphone, and a lobby phone linked to nobody.
 */
import { REGISTRAR_REALM, sipHa1 } from "../../registrar/index.ts";
import type { RevisionSnapshot, SnapshotDevice } from "../../registrar/index.ts";

export interface Handset {
  username: string;
  password: string;
  userId: string | null;
}

export const johnDesk: Handset = { username: "john-desk", password: "correct horse 1", userId: "u-john" };
export const maryDesk: Handset = { username: "mary-desk", password: "correct horse 2", userId: "u-mary" };
export const marySoft: Handset = { username: "mary-soft", password: "correct horse 3", userId: "u-mary" };
export const lobbyPhone: Handset = { username: "lobby-phone", password: "correct horse 4", userId: null };

export const users: RevisionSnapshot["users"] = [
  {
    id: "u-john",
    extension: "201",
    areaPrefix: "020",
    callerId: "+442079460001",
    callPlan: "national-unlimited",
    recording: null,
  },
  {
    id: "u-mary",
    extension: "202",
    areaPrefix: "0161",
    callerId: "+441619460002",
    callPlan: "international",
    recording: null,
  },
];

export function device(h: Handset, password = h.password): SnapshotDevice {
  return { sipUsername: h.username, ha1: sipHa1(h.username, REGISTRAR_REALM, password), userId: h.userId };
}

export function snapshot(revision: number, handsets: readonly Handset[]): RevisionSnapshot {
  return { revision, users, devices: handsets.map((h) => device(h)) };
}
