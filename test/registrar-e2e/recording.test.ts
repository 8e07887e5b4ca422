/**
 * Outbound call recording end to end with real handsets: a backend with its registrar, media relay and mail outbox
 * (an SMTP server in the test process); John (recording on) and Mary (recording off) made through the API; sipp
 * handsets registering with the devices' real credentials and playing a tone each (caller 440 Hz, callee 1000 Hz).
 * A call of John's, to Mary's extension or to the trunk, becomes exactly one mail to his address with his subject
 * whose WAV holds both tones for the call's answered length; Mary's calls are not recorded; with the relay not
 * answering John's calls still connect and he gets a "Call not recorded" mail, and 112 is never anchored.
 *
 * Ports of this file: SIP, NG and sipp media ports are free ones; RTP ports 41800–41999.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { readMail, startSmtpSink, type AcceptedMail, type SmtpSink } from "../backend/mail-harness.ts";
import { toneSpans } from "../recording/tones.ts";
import { readWav } from "../recording/wav-reader.ts";
import { call, eventually, freeUdpPort, register, startUas, type Uas } from "../registrar/sipp.ts";
import { describeWithRelay } from "../registrar/with-relay.ts";
import { startEstateBackend } from "./harness.ts";
import { johnRecordsMaryDoesNot } from "./recording-estate.ts";
import { writeHandsetTones } from "../registrar/handset-tones.ts";
import type { ApiDevice, EstateBackend } from "./harness.ts";

const RTP_PORTS = { min: 41_800, max: 41_999 };
const TIME_ZONE = "America/New_York"; // not the machine's: the mail must show the account's zone
const JOHN_RECORDING = { email: "john.smith@example.com", subject: "John's recorded call" };
const CALLER_HZ = 440;
const CALLEE_HZ = 1000;
/** From the answer to the caller's BYE (call-media's pause): the answered length of every call here. */
const HOLD_MS = 3_000;

let b: EstateBackend;
let sink: SmtpSink;
let trunkPort: number;
let johnDesk: ApiDevice;
let maryDesk: ApiDevice;
const running: Uas[] = [];

const creds = (d: ApiDevice) => ({ username: d.sipUsername, password: d.sipPassword });
const relayFolder = (): string => join(b.dir, "registrar", "recordings", "relay");
const relayFiles = (): string[] =>
  ["pcaps", "metadata", "tmp"].flatMap((sub) => readdirSync(join(relayFolder(), sub)).map((f) => `${sub}/${f}`));

describeWithRelay("outbound call recording with real handsets", () => {
  beforeAll(async () => {
    sink = await startSmtpSink();
    trunkPort = await freeUdpPort();
    b = await startEstateBackend({
      trunkPort,
      timeZone: TIME_ZONE,
      recording: { relayRtpPorts: RTP_PORTS, sweepMs: 200 },
      mail: { smtp: sink.settings(), retry: { baseMs: 100, capMs: 400 }, sweepMs: 200 },
    });
    if (b.backend.relay === null) throw new Error("the backend did not start its relay");
    ({ johnDesk, maryDesk } = await johnRecordsMaryDoesNot(b, JOHN_RECORDING));
    writeHandsetTones(b.dir, { callerHz: CALLER_HZ, calleeHz: CALLEE_HZ, durationMs: HOLD_MS });
  });
  afterEach(() => running.splice(0).forEach((uas) => uas.stop()));
  afterAll(async () => {
    await b?.[Symbol.asyncDispose]();
    await sink?.close();
  });

  async function uas(scenario: "answer-media" | "trunk", port?: number): Promise<Uas> {
    const started = await startUas(b.dir, scenario, port);
    running.push(started);
    return started;
  }

  /** The mails accepted since `before` once the worker and the outbox are idle and a few sweeps went by. */
  async function mailsSince(before: number): Promise<AcceptedMail[]> {
    await eventually(() => (sink.accepted.length > before ? true : undefined), "a mail", 20_000);
    await b.backend.recordings?.settled();
    await b.backend.mail?.settled();
    await new Promise((r) => setTimeout(r, 800)); // a few sweeps later: nothing more
    return sink.accepted.slice(before);
  }

  /** The minutes the call may have started in, as the body shows them in the account's zone. */
  function startedIn(from: Date, to: Date): RegExp {
    const minute = (at: Date): string => {
      const parts = new Intl.DateTimeFormat("en-GB", {
        timeZone: TIME_ZONE,
        day: "numeric",
        month: "short",
        year: "numeric",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      }).formatToParts(at);
      const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
      return `${get("day")} ${get("month")} ${get("year")}, ${get("hour")}:${get("minute")}`;
    };
    const zone = TIME_ZONE.replace("/", "\\/");
    return new RegExp(`Started: (?:${minute(from)}|${minute(to)}):\\d\\d \\(${zone}\\)`);
  }

  /** One recorded call's mail: John's address and subject, the body, a WAV of the call with both tones. */
  function expectRecording(mail: AcceptedMail, callee: string, placed: { from: Date; to: Date }): void {
    expect(mail.to).toEqual([JOHN_RECORDING.email]);
    const read = readMail(mail.raw);
    expect(read.headers.get("subject")).toBe(JOHN_RECORDING.subject);
    expect(read.text).toContain("Caller: John Smith (extension 201)");
    expect(read.text).toContain(`Callee: ${callee}`);
    expect(read.text).toMatch(startedIn(placed.from, placed.to));
    expect(read.text).toContain(`Duration: 0:0${Math.round(HOLD_MS / 1000)}`);
    expect(read.attachment?.contentType).toBe("audio/wav");
    const wav = readWav(read.attachment!.bytes);
    expect(wav.sampleRate).toBe(8000);
    expect(Math.abs(wav.durationSeconds - HOLD_MS / 1000)).toBeLessThan(0.5);
    // Each side's tone is heard (50 ms windows) for at least a second of the call: here both span the whole call,
    // but sipp's playback thread may start late on a loaded machine. The spans are in the message when it fails.
    for (const [side, hz] of [
      ["caller", CALLER_HZ],
      ["callee", CALLEE_HZ],
    ] as const) {
      const spans = toneSpans(wav.samples, hz);
      const seconds = spans.reduce((sum, [from, to]) => sum + (to - from), 0);
      expect(seconds, `${side}'s ${hz} Hz heard in ${JSON.stringify(spans)}`).toBeGreaterThanOrEqual(1);
    }
  }

  it("records John's call to Mary's extension and mails it once to his address", async () => {
    const desk = await uas("answer-media");
    expect(await register(b.dir, b.registrar, { ...creds(maryDesk), contactPort: desk.port })).toBe(200);
    const before = sink.accepted.length;

    const from = new Date();
    const result = await call(b.dir, b.registrar, creds(johnDesk), "202", { scenario: "call-media", holdMs: HOLD_MS });
    const to = new Date();

    expect(result).toEqual({ status: 200, reason: "OK", hungUp: true });
    await desk.finished();
    const mails = await mailsSince(before);
    expect(mails).toHaveLength(1);
    expectRecording(mails[0]!, "Mary Jones (extension 202)", { from, to });
    await eventually(() => (relayFiles().length === 0 ? true : undefined), "the relay's files removed");
  });

  it("records John's call to the trunk and mails it once", async () => {
    const trunk = await uas("answer-media", trunkPort);
    const before = sink.accepted.length;

    const from = new Date();
    const result = await call(b.dir, b.registrar, creds(johnDesk), "71234567", {
      scenario: "call-media",
      holdMs: HOLD_MS,
    });
    const to = new Date();

    expect(result).toEqual({ status: 200, reason: "OK", hungUp: true });
    await trunk.finished();
    expect(trunk.invites()).toEqual([expect.objectContaining({ ruri: `sip:02071234567@127.0.0.1:${trunkPort}` })]);
    const mails = await mailsSince(before);
    expect(mails).toHaveLength(1);
    expectRecording(mails[0]!, "71234567 (local number, sent as 02071234567)", { from, to });
  });

  it("does not record Mary's call to John: no mail, nothing in the relay's folder", async () => {
    const desk = await uas("answer-media");
    expect(await register(b.dir, b.registrar, { ...creds(johnDesk), contactPort: desk.port })).toBe(200);
    const before = sink.accepted.length;
    const files = relayFiles();

    expect(await call(b.dir, b.registrar, creds(maryDesk), "201", { scenario: "call-media" })).toEqual({
      status: 200,
      reason: "OK",
      hungUp: true,
    });

    await desk.finished();
    await new Promise((r) => setTimeout(r, 1_000)); // several sweeps of the worker and the outbox
    await b.backend.recordings?.settled();
    await b.backend.mail?.settled();
    expect(sink.accepted.length).toBe(before);
    expect(relayFiles()).toEqual(files);
    // Mary's desk phone was offered Mary's own address, not the relay's: the call was never anchored.
    const offered = desk.log().find((l) => l.startsWith("MEDIA-OFFERED")) ?? "";
    const port = Number(/m=audio (\d+) /.exec(offered)?.[1]);
    expect(port < RTP_PORTS.min || port > RTP_PORTS.max).toBe(true);
  });

  // Last: it stops the relay (SIGSTOP: the process stays, so its supervisor does not restart it).
  it("connects John's calls while the relay does not answer, mails 'not recorded' once, and 112 goes unanchored", async () => {
    const relay = b.backend.relay!;
    const desk = await uas("answer-media");
    expect(await register(b.dir, b.registrar, { ...creds(maryDesk), contactPort: desk.port })).toBe(200);
    const before = sink.accepted.length;
    const pid = relay.pid()!;
    process.kill(pid, "SIGSTOP");
    try {
      expect(await call(b.dir, b.registrar, creds(johnDesk), "202", { scenario: "call-media" })).toEqual({
        status: 200,
        reason: "OK",
        hungUp: true,
      });
      await desk.finished();
      // 112 never waits for the relay: it reaches the trunk with John's phone's own media address.
      const trunk = await uas("trunk", trunkPort);
      expect(await call(b.dir, b.registrar, creds(johnDesk), "112")).toMatchObject({ status: 200, hungUp: true });
      await trunk.finished();
      trunk.stop();
      const offered = trunk.log().find((l) => l.startsWith("MEDIA-OFFERED")) ?? "";
      const port = Number(/m=audio (\d+) /.exec(offered)?.[1]);
      expect(port).toBeGreaterThan(0);
      expect(port < RTP_PORTS.min || port > RTP_PORTS.max).toBe(true);

      const mails = await mailsSince(before);
      expect(mails).toHaveLength(1);
      expect(mails[0]!.to).toEqual([JOHN_RECORDING.email]);
      const read = readMail(mails[0]!.raw);
      expect(read.headers.get("subject")).toBe(`Call not recorded: ${JOHN_RECORDING.subject}`);
      expect(read.text).toContain("Why: the media relay that records calls could not be reached, or refused the call");
      expect(read.text).toContain("Caller: John Smith (extension 201)");
      expect(read.text).toContain("Callee: Mary Jones (extension 202)");
      expect(read.attachment).toBeNull();
      expect(relay.restarts()).toBe(0);
    } finally {
      process.kill(pid, "SIGCONT");
    }
    await relay.ready();
  });
});
