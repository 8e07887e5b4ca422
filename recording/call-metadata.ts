/**
 * What a recorded call carries from its start to its mail, and what the relay writes about it.
 *
 * - The call's recording metadata: one line in URL-query form, every value hex-encoded, decided by Kamailio
 *   when the call starts (from the caller's recording settings) and put in the relay's `offer` (rtpengine
 *   writes it as the last line of the call's metadata file) or in a `pbx_recording_event` row:
 *   `v=1&user=<hex>&ext=<hex>&dialled=<hex>&to=<hex>&kind=<hex>&email=<hex>&subject=<hex>`.
 *   `formatCallMetadata` / `parseCallMetadata`.
 * - rtpengine's metadata file of a finished call (`metadata/rtpengine-meta-<name>.txt`, registrar/README.md
 *   "Media relay"): its pcap files, the answer and termination times, the call's start and end, and that line.
 *   `parseRelayMetadata`.
 */
import { z } from "zod";
import { Id } from "../schemas/common.ts";
import { lineText } from "../schemas/text.ts";
import { Extension, Recording } from "../schemas/user.ts";

/** The version of the metadata line this module writes and reads. */
export const CALL_METADATA_VERSION = "1";

/** Where a call went: another extension, or the trunk (the dial plan's local, national, international). */
export const CallKind = z.enum(["extension", "local", "national", "international"]);
export type CallKind = z.infer<typeof CallKind>;

/** A number as dialled or sent on: what a SIP request URI's user part holds for the dial plan. */
const DialledNumber = lineText(64);

export const CallMetadata = z
  .object({
    /** The calling user's id in the backend. */
    userId: Id,
    /** The caller's extension. */
    extension: Extension,
    /** The number as the caller dialled it. */
    dialled: DialledNumber,
    /** What the call was sent on as: the extension, or the trunk number after the area prefix. */
    to: DialledNumber,
    kind: CallKind,
    /** Where the recording goes, and its subject: the user's recording settings at the call's start. */
    email: Recording.shape.email.unwrap(),
    subject: Recording.shape.subject.unwrap(),
  })
  .strict();
export type CallMetadata = z.infer<typeof CallMetadata>;

/** The line's keys, in the order the contract writes them, and the field each one holds. */
const KEYS = [
  ["user", "userId"],
  ["ext", "extension"],
  ["dialled", "dialled"],
  ["to", "to"],
  ["kind", "kind"],
  ["email", "email"],
  ["subject", "subject"],
] as const satisfies readonly (readonly [string, keyof CallMetadata])[];

/** A metadata line that is not one this version can read (or fields that break the recording settings' rules). */
export class CallMetadataError extends Error {
  override name = "CallMetadataError";
}

/** The line Kamailio puts in the relay's `offer` for this call (lowercase hex, as `{s.encode.hexa}` writes). */
export function formatCallMetadata(metadata: CallMetadata): string {
  const checked = CallMetadata.parse(metadata);
  const pairs = KEYS.map(([key, field]) => `${key}=${Buffer.from(checked[field], "utf8").toString("hex")}`);
  return [`v=${CALL_METADATA_VERSION}`, ...pairs].join("&");
}

/**
 * Reads a metadata line: hex in either case, unknown keys ignored; a missing key, a `v` other than 1, bad hex or
 * a field breaking its rule throws `CallMetadataError` (which never quotes the address or the subject).
 */
export function parseCallMetadata(line: string): CallMetadata {
  const values = new Map<string, string>();
  for (const pair of line.trim().split("&")) {
    const equals = pair.indexOf("=");
    if (equals <= 0) throw new CallMetadataError("the call's metadata is not key=value pairs joined by &");
    values.set(pair.slice(0, equals), pair.slice(equals + 1));
  }
  const version = values.get("v");
  if (version !== CALL_METADATA_VERSION)
    throw new CallMetadataError(
      version === undefined
        ? "the call's metadata has no version (v)"
        : `the call's metadata is version ${version.slice(0, 20)}; only ${CALL_METADATA_VERSION} is read`,
    );
  const fields: Record<string, string> = {};
  for (const [key, field] of KEYS) {
    const hex = values.get(key);
    if (hex === undefined) throw new CallMetadataError(`the call's metadata has no ${key}`);
    if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) throw new CallMetadataError(`the call's metadata's ${key} is not hex`);
    const decoded = new TextDecoder("utf-8", { fatal: true });
    try {
      fields[field] = decoded.decode(Buffer.from(hex, "hex"));
    } catch {
      throw new CallMetadataError(`the call's metadata's ${key} is not UTF-8 text`);
    }
  }
  const parsed = CallMetadata.safeParse(fields);
  if (!parsed.success)
    throw new CallMetadataError(
      `the call's metadata breaks a rule: ${parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`,
    );
  return parsed.data;
}

/** What rtpengine wrote about one finished recorded call. */
export interface RelayMetadata {
  /** The call's pcap files (the relay names one; more lines would be more files of the same call). */
  pcapPaths: string[];
  /** Each SDP the relay sent out while recording, with when: `offer`, then `answer` (none when recording started later). */
  sdps: { mode: string; atMs: number }[];
  /** When the call was answered (the first answer SDP's time) in ms since the epoch; null when not written. */
  answeredAtMs: number | null;
  /** When the call ended (`Timestamp terminated ms(first monologue)`); null when not written. */
  terminatedAtMs: number | null;
  /** `call start time` / `call end time`: whole seconds in the relay's local time (this machine's), as ms. */
  callStartMs: number | null;
  callEndMs: number | null;
  /** The `metadata` string the call carried (the last line, after a blank line); null when it carried none. */
  metadata: string | null;
}

/** A metadata file whose first line names no pcap file. */
export class RelayMetadataError extends Error {
  override name = "RelayMetadataError";
}

/** Reads rtpengine's metadata file (registrar/README.md, "Media relay"). */
export function parseRelayMetadata(text: string): RelayMetadata {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  const pcapPaths: string[] = [];
  for (const line of lines) {
    if (line === "") break;
    pcapPaths.push(line);
  }
  if (pcapPaths.length === 0 || !pcapPaths.every((p) => p.startsWith("/")))
    throw new RelayMetadataError("the relay's metadata file does not start with the call's pcap path");

  const sdps: RelayMetadata["sdps"] = [];
  let terminatedAtMs: number | null = null;
  let callStartMs: number | null = null;
  let callEndMs: number | null = null;
  let startedAtMs: number | null = null;
  for (const line of lines) {
    const started = /^Timestamp started ms: (\d+(?:\.\d+)?)$/.exec(line);
    if (started) startedAtMs = Number(started[1]);
    const mode = /^SDP mode: (\S+)$/.exec(line);
    if (mode && startedAtMs !== null) {
      sdps.push({ mode: mode[1] ?? "", atMs: startedAtMs });
      startedAtMs = null;
    }
    const terminated = /^Timestamp terminated ms\(first monologue\): (\d+(?:\.\d+)?)$/.exec(line);
    if (terminated) terminatedAtMs = Number(terminated[1]);
    const start = /^call start time: (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)$/.exec(line);
    if (start) callStartMs = localTimeMs(start[1] ?? "");
    const end = /^call end time: (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)$/.exec(line);
    if (end) callEndMs = localTimeMs(end[1] ?? "");
  }

  // The metadata string is the last line, after a blank one: the file's own lines never follow a blank line
  // at its end, so a call that carried no metadata ends on its end time instead.
  const trimmed = text.replace(/\r\n/g, "\n").replace(/\n+$/, "").split("\n");
  const last = trimmed.at(-1) ?? "";
  const beforeLast = trimmed.at(-2);
  const metadata = trimmed.length > pcapPaths.length && beforeLast === "" && last !== "" ? last : null;

  return {
    pcapPaths,
    sdps,
    answeredAtMs: sdps.find((s) => s.mode === "answer")?.atMs ?? null,
    terminatedAtMs,
    callStartMs,
    callEndMs,
    metadata,
  };
}

/** A date-time without offset, as this machine's local time (where the relay runs). */
function localTimeMs(text: string): number | null {
  const ms = new Date(text).getTime();
  return Number.isNaN(ms) ? null : ms;
}
