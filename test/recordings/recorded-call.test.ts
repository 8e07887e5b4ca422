/**
 * A recorded call becomes one mail: the backend (Kamailio, the real relay, a local SMTP server in the test process)
 * records a call driven over NG as Kamailio drives it, and mails the recording to the address the call carried,
 * with its subject, a body naming caller, callee, start time in the account's zone and duration, and a WAV of the
 * call's length in which both sides' tones are heard. The relay's files go; the WAV goes after delivery unless a
 * retention period keeps it.
 *
 * Ports of this file: RTP 41400–41499.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { readMail, startSmtpSink, type SmtpSink } from "../backend/mail-harness.ts";
import { eventually } from "../registrar/sipp.ts";
import { hasTone } from "../recording/tones.ts";
import { readWav } from "../recording/wav-reader.ts";
import {
  CALLEE_HZ,
  CALLER_HZ,
  describeWithRelay,
  expectedStart,
  johnCallsMary,
  JOHN_RECORDING,
  recordedCall,
  startRecordingBackend,
  type RecordingBackend,
} from "./harness.ts";

const TIME_ZONE = "America/New_York"; // not the machine's: the mail must say the account's zone
let dir: string;
let sink: SmtpSink;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pbx-recorded-"));
  sink = await startSmtpSink();
});
afterAll(async () => {
  await sink.close();
  rmSync(dir, { recursive: true, force: true });
});

const files = (folder: string): string[] => (existsSync(folder) ? readdirSync(folder).sort() : []);
const modeOf = (path: string): number => statSync(path).mode & 0o777;

async function withBackend(
  name: string,
  retentionDays: number,
  run: (b: RecordingBackend, registrarDir: string) => Promise<void>,
): Promise<void> {
  const registrarDir = join(dir, name);
  const b = await startRecordingBackend({
    registrarDir,
    rtpPorts: { min: 41_400, max: 41_499 },
    smtp: sink.settings(),
    timeZone: TIME_ZONE,
    retentionDays,
  });
  try {
    await run(b, registrarDir);
  } finally {
    await b.backend.stop();
  }
}

describeWithRelay("a recorded call", () => {
  it("is mailed once to the call's address with its subject, caller, callee, start, duration and both tones", async () => {
    await withBackend("mailed", 0, async (b, registrarDir) => {
      const before = sink.accepted.length;
      const call = await recordedCall(b.ng, {
        callId: "mailed-1@pbx.test",
        metadata: johnCallsMary(b.users.john),
        durationMs: 2_000,
      });
      await eventually(() => (sink.accepted.length > before ? true : undefined), "the recording's mail", 15_000);
      await b.backend.recordings?.settled();
      await b.backend.mail?.settled();
      await new Promise((r) => setTimeout(r, 600)); // a few sweeps later: still one
      expect(sink.accepted.length - before).toBe(1);

      const sent = sink.accepted.at(-1)!;
      expect(sent.to).toEqual([JOHN_RECORDING.email]);
      const mail = readMail(sent.raw);
      expect(mail.headers.get("subject")).toBe(JOHN_RECORDING.subject);
      expect(mail.text).toContain("Caller: John Smith (extension 201)");
      expect(mail.text).toContain("Callee: Mary Jones (extension 202)");
      expect(mail.text).toMatch(expectedStart(call.answeredAt, TIME_ZONE));
      expect(mail.text).toContain("Duration: 0:02");

      expect(mail.attachment?.contentType).toBe("audio/wav");
      expect(mail.attachment?.name).toMatch(/^call-\d{8}-\d{4}-201-to-202\.wav$/);
      const wav = readWav(mail.attachment!.bytes);
      const callSeconds = (call.hungUpAt.getTime() - call.answeredAt.getTime()) / 1000;
      expect(Math.abs(wav.durationSeconds - callSeconds)).toBeLessThan(0.5);
      expect(wav.sampleRate).toBe(8000);
      expect(hasTone(wav.samples, CALLER_HZ, 0.2, wav.durationSeconds - 0.2)).toBe(true);
      expect(hasTone(wav.samples, CALLEE_HZ, 0.2, wav.durationSeconds - 0.2)).toBe(true);

      // The relay's files are gone; the WAV goes once delivered.
      const relayDir = join(registrarDir, "recordings", "relay");
      expect(files(join(relayDir, "metadata"))).toEqual([]);
      expect(files(join(relayDir, "pcaps"))).toEqual([]);
      await eventually(
        () => (files(join(registrarDir, "recordings", "mail")).length === 0 ? true : undefined),
        "the WAV removed after delivery",
      );
      expect(modeOf(join(registrarDir, "recordings", "mail"))).toBe(0o700);

      // The audit log names the mail, the user and the part; no address, subject or body.
      const audit = await b.backend.store.db
        .selectFrom("audit")
        .selectAll()
        .where("account_id", "=", b.accountId)
        .where("action", "like", "recording.%")
        .execute();
      expect(audit.map((a) => [a.action, a.object_kind, a.token_id])).toEqual([
        ["recording.mail-enqueued", "mail", null],
      ]);
      expect(audit[0]?.detail).toEqual({ userId: b.users.john, part: 1, parts: 1 });
      expect(b.logs()).not.toContain(JOHN_RECORDING.email);
      expect(b.logs()).not.toContain(JOHN_RECORDING.subject);
    });
  });

  it("keeps the WAV (0600 in a 0700 folder) when a retention period is configured", async () => {
    await withBackend("kept", 30, async (b, registrarDir) => {
      const before = sink.accepted.length;
      await recordedCall(b.ng, { callId: "kept-1@pbx.test", metadata: johnCallsMary(b.users.john), durationMs: 600 });
      await eventually(() => (sink.accepted.length > before ? true : undefined), "the recording's mail", 15_000);
      await b.backend.mail?.settled();
      await new Promise((r) => setTimeout(r, 400));
      const mailDir = join(registrarDir, "recordings", "mail");
      const kept = files(mailDir);
      expect(kept).toHaveLength(1);
      expect(modeOf(mailDir)).toBe(0o700);
      expect(modeOf(join(mailDir, kept[0]!))).toBe(0o600);
      expect(readWav(readMail(sink.accepted.at(-1)!.raw).attachment!.bytes).durationSeconds).toBeGreaterThan(0.3);
    });
  });
});
