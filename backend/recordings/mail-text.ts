// The words of the recordings worker's mails: a recorded call (one mail per part) and a call that was not
// recorded. Pure functions; the people's names and the account's time zone are looked up by the caller.
import type { CallKind } from "../../recording/call-metadata.ts";
import { Recording } from "../../schemas/user.ts";

/** The longest subject a mail may have (the user's recording subject's own limit). */
const MAX_SUBJECT = Recording.shape.subject.unwrap().maxLength ?? 200;

/** Who called whom, when, as a mail reader sees it. */
export interface CallParties {
  /** "John Smith (extension 201)", or "extension 201" when the user is not found. */
  caller: string;
  /** "Mary Jones (extension 202)", or the dialled number with what kind of number it is. */
  callee: string;
  timeZone: string;
}

export interface RecordedPart {
  /** 1-based, of `parts`. */
  part: number;
  parts: number;
  /** Where this part starts and ends in the call, in seconds. */
  fromSeconds: number;
  toSeconds: number;
}

/** "0:42", "20:49", "1:02:03". */
export function formatDuration(seconds: number): string {
  const whole = Math.round(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = String(whole % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** "6 Dec 2026, 15:33:06 (Europe/London)": the instant in the account's time zone, named. */
export function formatInstant(at: Date, timeZone: string): string {
  const text = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  }).format(at);
  return `${text} (${timeZone})`;
}

/** How the callee is named when it is a number: as dialled, and as sent on when the dial plan changed it. */
export function describeNumber(kind: CallKind, dialled: string, to: string): string {
  const what = kind === "extension" ? "extension" : `${kind} number`;
  return to === dialled ? `${dialled} (${what})` : `${dialled} (${what}, sent as ${to})`;
}

/** The user's subject between `prefix` and `suffix`, cut so the whole fits a subject's limit. */
function fitSubject(prefix: string, subject: string, suffix: string): string {
  const room = MAX_SUBJECT - prefix.length - suffix.length;
  const chars = Array.from(subject); // whole code points: never half a surrogate pair
  const base =
    chars.length > room
      ? `${chars
          .slice(0, room - 1)
          .join("")
          .trimEnd()}…`
      : subject;
  return `${prefix}${base}${suffix}`;
}

export function recordingSubject(subject: string, part: RecordedPart): string {
  return part.parts === 1 ? subject : fitSubject("", subject, ` (part ${part.part} of ${part.parts})`);
}

export function recordingText(
  call: CallParties & { startedAt: Date; durationSeconds: number },
  part: RecordedPart,
): string {
  const lines = [
    part.parts === 1
      ? "A recording of your call is attached (WAV)."
      : `Part ${part.part} of ${part.parts} of the recording of your call is attached (WAV): ` +
        `from ${formatDuration(part.fromSeconds)} to ${formatDuration(part.toSeconds)}. ` +
        `Each mail carries one part; the parts follow each other without a gap.`,
    "",
    `Caller: ${call.caller}`,
    `Callee: ${call.callee}`,
    `Started: ${formatInstant(call.startedAt, call.timeZone)}`,
    `Duration: ${formatDuration(call.durationSeconds)}`,
  ];
  if (part.parts > 1) lines.push(`Part: ${part.part} of ${part.parts}`);
  return `${lines.join("\n")}\n`;
}

/** A recording event's reason in words (Kamailio writes the code). */
export function reasonInWords(reason: string): string {
  switch (reason) {
    case "relay-unavailable":
      return "the media relay that records calls could not be reached, or refused the call, when it started";
    case "relay-restarted":
      return "the media relay that records calls stopped during the call and was restarted, so the recording was lost";
    case "recording-unreadable":
      return "the relay's recording of the call could not be read";
    default:
      return `the registrar could not record it (${reason.replace(/[^\w.-]/g, "").slice(0, 60) || "no reason given"})`;
  }
}

export function notRecordedSubject(subject: string): string {
  return fitSubject("Call not recorded: ", subject, "");
}

export function notRecordedText(call: CallParties & { startedAt: Date }, reason: string): string {
  return `${[
    "A call of yours that should have been recorded was not recorded. The call itself went ahead.",
    "",
    `Why: ${reasonInWords(reason)}.`,
    "",
    `Caller: ${call.caller}`,
    `Callee: ${call.callee}`,
    `Started: ${formatInstant(call.startedAt, call.timeZone)}`,
  ].join("\n")}\n`;
}
