/**
 * The SMTP relay is down while a recorded call ends: the recording waits in the mail outbox, retried with backoff,
 * and is delivered once after the relay comes back, with its WAV.
 *
 * Ports of this file: RTP 41500–41599.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { freePort, readMail, SENDER, startSmtpSink, type SmtpSink } from "../backend/mail-harness.ts";
import { eventually } from "../registrar/sipp.ts";
import { readWav } from "../recording/wav-reader.ts";
import { describeWithRelay, johnCallsMary, JOHN_RECORDING, recordedCall, startRecordingBackend } from "./harness.ts";

const dir = mkdtempSync(join(tmpdir(), "pbx-smtp-down-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeWithRelay("a recorded call ending while the SMTP relay is down", () => {
  it("is delivered once after the relay comes back", async () => {
    const port = await freePort();
    const b = await startRecordingBackend({
      registrarDir: join(dir, "registrar"),
      rtpPorts: { min: 41_500, max: 41_599 },
      smtp: { host: "127.0.0.1", port, security: "none", auth: null, from: SENDER },
      timeZone: "Europe/London",
    });
    let sink: SmtpSink | null = null;
    try {
      await recordedCall(b.ng, { callId: "down-1@pbx.test", metadata: johnCallsMary(b.users.john), durationMs: 800 });
      const failed = await eventually(
        async () => {
          const row = await b.backend.store.db
            .selectFrom("mail_outbox")
            .selectAll()
            .where("recipient", "=", JOHN_RECORDING.email)
            .executeTakeFirst();
          return row !== undefined && row.attempts >= 2 ? row : undefined;
        },
        "two failed attempts while the relay is down",
        15_000,
      );
      expect(failed.outcome).toBeNull();
      expect(failed.last_error).toMatch(/ECONNECTION|ECONNREFUSED/);

      sink = await startSmtpSink({ port });
      await eventually(() => (sink!.accepted.length > 0 ? true : undefined), "the mail delivered", 15_000);
      await new Promise((r) => setTimeout(r, 800));
      expect(sink.accepted).toHaveLength(1);
      const mail = readMail(sink.accepted[0]!.raw);
      expect(mail.headers.get("message-id")).toBe(failed.message_id);
      expect(readWav(mail.attachment!.bytes).durationSeconds).toBeGreaterThan(0.5);
    } finally {
      await b.backend.stop();
      await sink?.close();
    }
  });
});
