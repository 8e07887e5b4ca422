/**
 * The media relay dying during a recorded call (real backend, Kamailio, rtpengine, sipp handsets with media, an
 * SMTP server in the test process): the supervisor starts rtpengine again, which has lost the call (its media no
 * longer goes through it, its recording stays unfinished); the SIP dialog survives and the call ends with its BYE;
 * the caller gets exactly one "Call not recorded" mail saying the relay stopped during the call; the unfinished
 * files are removed; the next call is recorded and mailed as usual.
 *
 * Ports of this file: SIP, NG and sipp media ports are free ones; RTP ports 42000–42199.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { ngRequest } from "../../registrar/relay/index.ts";
import { readMail, startSmtpSink, type AcceptedMail, type SmtpSink } from "../backend/mail-harness.ts";
import { readWav } from "../recording/wav-reader.ts";
import { call, eventually, register, startUas, type Uas } from "../registrar/sipp.ts";
import { describeWithRelay } from "../registrar/with-relay.ts";
import { startEstateBackend } from "./harness.ts";
import { johnRecordsMaryDoesNot } from "./recording-estate.ts";
import { writeHandsetTones } from "../registrar/handset-tones.ts";
import type { ApiDevice, EstateBackend } from "./harness.ts";

const RTP_PORTS = { min: 42_000, max: 42_199 };
const JOHN_RECORDING = { email: "john.smith@example.com", subject: "John's recorded call" };
/** Long enough to kill the relay mid-call and have it back before the BYE. */
const HOLD_MS = 4_000;

let b: EstateBackend;
let sink: SmtpSink;
let johnDesk: ApiDevice;
let maryDesk: ApiDevice;
const running: Uas[] = [];

const creds = (d: ApiDevice) => ({ username: d.sipUsername, password: d.sipPassword });
const relayFiles = (sub: "pcaps" | "metadata" | "tmp"): string[] =>
  readdirSync(join(b.dir, "registrar", "recordings", "relay", sub));

describeWithRelay("the media relay restarting during a recorded call", () => {
  beforeAll(async () => {
    sink = await startSmtpSink();
    b = await startEstateBackend({
      recording: { relayRtpPorts: RTP_PORTS, sweepMs: 200 },
      mail: { smtp: sink.settings(), retry: { baseMs: 100, capMs: 400 }, sweepMs: 200 },
    });
    if (b.backend.relay === null) throw new Error("the backend did not start its relay");
    ({ johnDesk, maryDesk } = await johnRecordsMaryDoesNot(b, JOHN_RECORDING));
    writeHandsetTones(b.dir, { callerHz: 440, calleeHz: 1000, durationMs: HOLD_MS });
  });
  afterEach(() => running.splice(0).forEach((uas) => uas.stop()));
  afterAll(async () => {
    await b?.[Symbol.asyncDispose]();
    await sink?.close();
  });

  async function maryAnswers(): Promise<Uas> {
    const desk = await startUas(b.dir, "answer-media");
    running.push(desk);
    expect(await register(b.dir, b.registrar, { ...creds(maryDesk), contactPort: desk.port })).toBe(200);
    return desk;
  }

  async function mailsSince(before: number): Promise<AcceptedMail[]> {
    await eventually(() => (sink.accepted.length > before ? true : undefined), "a mail", 20_000);
    await b.backend.recordings?.settled();
    await b.backend.mail?.settled();
    await new Promise((r) => setTimeout(r, 800)); // a few sweeps later: nothing more
    return sink.accepted.slice(before);
  }

  it("keeps the call up, tells John it was not recorded, and records the next call", async () => {
    const relay = b.backend.relay!;
    const ng = { host: relay.host, port: relay.ngPort };
    const desk = await maryAnswers();
    const before = sink.accepted.length;

    const calling = call(b.dir, b.registrar, creds(johnDesk), "202", { scenario: "call-media", holdMs: HOLD_MS });
    // Answered: the relay is recording (the call's unfinished metadata file is in tmp/).
    await eventually(() => (relayFiles("tmp").length === 1 ? true : undefined), "the recording started");
    expect((await ngRequest(ng, "list")).calls).toHaveLength(1);
    process.kill(relay.pid()!, "SIGKILL");
    await eventually(() => (relay.restarts() === 1 ? true : undefined), "the relay restarted");
    await relay.ready();
    // The restarted relay knows nothing of the call: its media no longer goes anywhere through it.
    expect((await ngRequest(ng, "list")).calls).toEqual([]);

    // The SIP dialog went on: the call ends with its BYE, answered through the registrar.
    expect(await calling).toEqual({ status: 200, reason: "OK", hungUp: true });
    await desk.finished();

    const mails = await mailsSince(before);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.to).toEqual([JOHN_RECORDING.email]);
    const read = readMail(mails[0]!.raw);
    expect(read.headers.get("subject")).toBe(`Call not recorded: ${JOHN_RECORDING.subject}`);
    expect(read.text).toContain(
      "Why: the media relay that records calls stopped during the call and was restarted, so the recording was lost.",
    );
    expect(read.text).toContain("Caller: John Smith (extension 201)");
    expect(read.text).toContain("Callee: Mary Jones (extension 202)");
    expect(read.attachment).toBeNull();
    // The unfinished recording is gone, and nothing else waits.
    await eventually(() => (relayFiles("tmp").length === 0 ? true : undefined), "the unfinished files removed");
    expect(relayFiles("pcaps")).toEqual([]);
    expect(relayFiles("metadata")).toEqual([]);

    // The next call goes through the restarted relay and is recorded as usual.
    const next = await maryAnswers();
    const beforeNext = sink.accepted.length;
    expect(
      await call(b.dir, b.registrar, creds(johnDesk), "202", { scenario: "call-media", holdMs: 1_500 }),
    ).toMatchObject({ status: 200, hungUp: true });
    await next.finished();
    const recorded = await mailsSince(beforeNext);
    expect(recorded).toHaveLength(1);
    const mail = readMail(recorded[0]!.raw);
    expect(mail.headers.get("subject")).toBe(JOHN_RECORDING.subject);
    expect(Math.abs(readWav(mail.attachment!.bytes).durationSeconds - 1.5)).toBeLessThan(0.5);
  });
});
