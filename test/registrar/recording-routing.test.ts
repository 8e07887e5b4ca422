/**
 * Kamailio drives the media relay for the calls of users who record: a recording user's calls to an
 * extension (forked to every device of the callee) and to the trunk are anchored through a real rtpengine
 * and recorded from the answer to the hang-up, with the call's metadata decided at the INVITE; emergency
 * calls and the calls of users without recording never reach the relay; a relay that is down lets the call
 * through unrecorded and leaves a `pbx_recording_event` row. sipp plays the handsets and the trunk, with
 * real RTP (pcap files of tones, replayed through raw sockets).
 *
 * Ports of this file: SIP, NG and sipp media ports are free ones; RTP ports 41200–41399.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { pcapDatagrams } from "../../recording/audio/index.ts";
import { parseRtp } from "../../recording/audio/index.ts";
import { dropRegistrations } from "../../registrar/control.ts";
import { openRegistrarStore, REGISTRAR_REALM, startRegistrar } from "../../registrar/index.ts";
import type { RevisionSnapshot, RunningRegistrar } from "../../registrar/index.ts";
import { ngRequest, startRelay } from "../../registrar/relay/index.ts";
import type { RunningRelay } from "../../registrar/relay/index.ts";
import { HANDSET_SSRC, writeHandsetTones } from "./handset-tones.ts";
import { device, johnDesk, maryDesk, marySoft } from "./estate.ts";
import { call, eventually, freeUdpPort, register, startUas } from "./sipp.ts";
import type { Uas } from "./sipp.ts";
import { describeWithRelay } from "./with-relay.ts";

const RTP_PORTS = { min: 41_200, max: 41_399 };
/** The SSRCs of what the handsets play: the caller, the callee once answered, the callee's early media. */
const SSRC = HANDSET_SSRC;

const johnRecording = { email: "john@example.com", subject: "Calls of John" };
const usersWith = (recording: { email: string; subject: string }): RevisionSnapshot["users"] => [
  {
    id: "u-john",
    extension: "201",
    areaPrefix: "020",
    callerId: "+442079460001",
    callPlan: "international",
    recording,
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
let revision = 0;
const snapshotWith = (recording: { email: string; subject: string }): RevisionSnapshot => ({
  revision: ++revision,
  users: usersWith(recording),
  devices: [johnDesk, maryDesk, marySoft].map((h) => device(h)),
});

/** The metadata line (registrar/README.md): `v=1&key=<hex>&…`, every value but the version hex-encoded. */
function parseMetadata(line: string): Record<string, string> {
  return Object.fromEntries(
    line.split("&").map((pair) => {
      const [key = "", value = ""] = pair.split("=");
      return [key, key === "v" ? value : Buffer.from(value, "hex").toString("utf8")];
    }),
  );
}

let dir: string;
let relay: RunningRelay;
let registrar: RunningRegistrar;
let trunkPort: number;
let recordingDir: string;
const relayLog: string[] = [];
const running: Uas[] = [];

describeWithRelay("recording users' calls through the media relay", () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "recording-routing-"));
    const dataDir = join(dir, "registrar");
    recordingDir = join(dataDir, "recordings", "relay");
    relay = await startRelay({
      dataDir: join(dir, "relay"),
      recordingDir,
      rtpPorts: RTP_PORTS,
      onLog: (line) => relayLog.push(line),
    });
    trunkPort = await freeUdpPort();
    registrar = await startRegistrar({
      dataDir,
      trunk: { host: "127.0.0.1", port: trunkPort },
      relay: { host: relay.host, ngPort: relay.ngPort },
    });
    await registrar.publish(snapshotWith(johnRecording));
    writeHandsetTones(dir, { callerHz: 440, calleeHz: 1_000, durationMs: 1_000 });
  });
  afterEach(async () => {
    running.splice(0).forEach((uas) => uas.stop());
    await dropRegistrations(registrar.ctlSocket, [maryDesk.username, marySoft.username]);
  });
  afterAll(async () => {
    await registrar?.stop();
    await relay?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function uas(scenario: "answer-media" | "device-ring" | "device-busy" | "trunk", port?: number): Promise<Uas> {
    const started = await startUas(dir, scenario, port);
    running.push(started);
    return started;
  }

  const filesIn = (sub: string): string[] => readdirSync(join(recordingDir, sub)).sort();
  const everyRecordingFile = (): string[] => ["pcaps", "metadata", "tmp"].flatMap((sub) => filesIn(sub));
  /** Commands the relay received apart from pings (the module's and the supervisor's). */
  const relayCommands = (): string[] =>
    relayLog.filter((line) => /Received command '/.test(line) && !/Received command 'ping'/.test(line));

  /** The one call recorded since `before` (metadata files): its metadata lines and the pcap's datagrams. */
  async function recordedSince(
    before: readonly string[],
  ): Promise<{ lines: string[]; ssrcs: Set<number>; ports: Set<number> }> {
    const name = await eventually(() => filesIn("metadata").find((f) => !before.includes(f)), "a call's metadata");
    expect(filesIn("metadata").filter((f) => !before.includes(f))).toEqual([name]);
    const lines = readFileSync(join(recordingDir, "metadata", name), "utf8")
      .trimEnd()
      .split("\n");
    const pcapPath = lines[0] ?? "";
    const ssrcs = new Set<number>();
    const ports = new Set<number>();
    for (const datagram of pcapDatagrams(readFileSync(pcapPath), pcapPath)) {
      const rtp = parseRtp(datagram.payload);
      if (rtp === null) continue;
      ssrcs.add(rtp.ssrc);
      ports.add(datagram.destination.port);
    }
    return { lines, ssrcs, ports };
  }

  /** The handset was offered the relay's address: the call was anchored. */
  function expectAnchored(handset: Uas): void {
    const offered = handset.log().find((l) => l.startsWith("MEDIA-OFFERED"));
    const [, port] = /m=audio (\d+) RTP\/AVP/.exec(offered ?? "") ?? [];
    expect(Number(port)).toBeGreaterThanOrEqual(RTP_PORTS.min);
    expect(Number(port)).toBeLessThanOrEqual(RTP_PORTS.max);
  }

  /** The handset was offered the caller's own media address, not the relay's. */
  function expectNotAnchored(handset: Uas): void {
    const offered = handset.log().find((l) => l.startsWith("MEDIA-OFFERED"));
    const [, port] = /m=audio (\d+) RTP\/AVP/.exec(offered ?? "") ?? [];
    expect(Number(port)).toBeGreaterThan(0);
    expect(Number(port) >= RTP_PORTS.min && Number(port) <= RTP_PORTS.max).toBe(false);
  }

  async function expectNothingLeftInRelay(): Promise<void> {
    const listed = await ngRequest({ host: relay.host, port: relay.ngPort }, "list");
    expect(listed.calls).toEqual([]);
  }

  it("records a call to an extension that rings two devices: one call, both directions, from the answer", async () => {
    const desk = await uas("answer-media");
    const soft = await uas("device-ring");
    expect(await register(dir, registrar, { ...maryDesk, contactPort: desk.port })).toBe(200);
    expect(await register(dir, registrar, { ...marySoft, contactPort: soft.port })).toBe(200);
    const before = filesIn("metadata");

    const result = await call(dir, registrar, johnDesk, "202", { scenario: "call-media" });

    expect(result).toEqual({ status: 200, reason: "OK", hungUp: true });
    await desk.finished();
    await soft.finished();
    expect(soft.log()).toContain("CANCELLED");
    // Each device was offered the relay's address, G.711 (and telephone events) only.
    for (const handset of [desk, soft]) {
      const offered = handset.log().find((l) => l.startsWith("MEDIA-OFFERED"));
      const [, port, formats] = /m=audio (\d+) RTP\/AVP ([ 0-9]*)/.exec(offered ?? "") ?? [];
      expect(Number(port)).toBeGreaterThanOrEqual(RTP_PORTS.min);
      expect(Number(port)).toBeLessThanOrEqual(RTP_PORTS.max);
      expect(formats?.trim().split(" ").sort()).toEqual(["0", "101", "8"]);
    }
    const { lines, ssrcs, ports } = await recordedSince(before);
    expect(parseMetadata(lines.at(-1) ?? "")).toEqual({
      v: "1",
      user: "u-john",
      ext: "201",
      dialled: "202",
      to: "202",
      kind: "extension",
      email: "john@example.com",
      subject: "Calls of John",
    });
    // Both directions after the answer; the early media before it is not in the recording.
    expect([...ssrcs].sort()).toEqual([SSRC.caller, SSRC.callee].sort());
    expect(ports.size).toBe(2);
    await expectNothingLeftInRelay();
  });

  it("records a call to the trunk, with the number it was sent on", async () => {
    const trunk = await uas("answer-media", trunkPort);
    const before = filesIn("metadata");

    expect(await call(dir, registrar, johnDesk, "71234567", { scenario: "call-media" })).toMatchObject({
      status: 200,
      hungUp: true,
    });

    await trunk.finished();
    const { lines, ssrcs } = await recordedSince(before);
    expect(parseMetadata(lines.at(-1) ?? "")).toMatchObject({
      user: "u-john",
      dialled: "71234567",
      to: "02071234567",
      kind: "local",
    });
    expect([...ssrcs].sort()).toEqual([SSRC.caller, SSRC.callee].sort());
    await expectNothingLeftInRelay();
  });

  it("never anchors an emergency call, even a recording user's", async () => {
    const trunk = await uas("trunk", trunkPort);
    const files = everyRecordingFile();
    const commands = relayCommands().length;

    expect(await call(dir, registrar, johnDesk, "112")).toMatchObject({ status: 200, hungUp: true });

    await trunk.finished();
    expect(relayCommands()).toHaveLength(commands);
    expect(everyRecordingFile()).toEqual(files);
  });

  it("never talks to the relay for a user without recording", async () => {
    const trunk = await uas("trunk", trunkPort);
    const files = everyRecordingFile();
    const commands = relayCommands().length;

    expect(await call(dir, registrar, maryDesk, "5551234")).toMatchObject({ status: 200, hungUp: true });

    await trunk.finished();
    expect(relayCommands()).toHaveLength(commands);
    expect(everyRecordingFile()).toEqual(files);
  });

  it("keeps the metadata decided at the INVITE when the user's address changes during the call", async () => {
    const desk = await uas("answer-media");
    expect(await register(dir, registrar, { ...maryDesk, contactPort: desk.port })).toBe(200);
    const before = filesIn("metadata");

    const calling = call(dir, registrar, johnDesk, "202", { scenario: "call-media" });
    await eventually(() => (desk.invites().length > 0 ? true : undefined), "the INVITE at Mary's desk");
    await registrar.publish(snapshotWith({ email: "john.new@example.com", subject: "New subject" }));

    expect(await calling).toMatchObject({ status: 200, hungUp: true });
    await desk.finished();
    const { lines } = await recordedSince(before);
    expect(parseMetadata(lines.at(-1) ?? "")).toMatchObject({ email: "john@example.com", subject: "Calls of John" });
    await registrar.publish(snapshotWith(johnRecording));
  });

  it("ends the relay session of a call cancelled before the answer, with nothing recorded", async () => {
    const soft = await uas("device-ring");
    expect(await register(dir, registrar, { ...marySoft, contactPort: soft.port })).toBe(200);
    const before = filesIn("metadata");

    expect(await call(dir, registrar, johnDesk, "202", { scenario: "call-cancel" })).toMatchObject({ status: 487 });

    await soft.finished();
    expectAnchored(soft);
    await expectNothingLeftInRelay();
    expect(filesIn("metadata")).toEqual(before);
    expect(filesIn("tmp")).toEqual([]);
  });

  it("ends the relay session of a call the callee refuses, with nothing recorded", async () => {
    const desk = await uas("device-busy");
    expect(await register(dir, registrar, { ...maryDesk, contactPort: desk.port })).toBe(200);
    const before = filesIn("metadata");

    expect(await call(dir, registrar, johnDesk, "202", { scenario: "call-media" })).toMatchObject({ status: 486 });

    await desk.finished();
    expectAnchored(desk);
    await expectNothingLeftInRelay();
    expect(filesIn("metadata")).toEqual(before);
    expect(filesIn("tmp")).toEqual([]);
  });

  // Last: it stops the relay.
  it("lets a recording user's call through unrecorded when the relay is down, and says so", async () => {
    await relay.stop();
    const files = everyRecordingFile();

    // Kamailio gives up on the relay after its short timeout (registrar/config-recording.ts) and sends the call
    // on with the phone's own media address.
    const trunk = await uas("trunk", trunkPort);
    expect(await call(dir, registrar, johnDesk, "71234567")).toMatchObject({ status: 200, hungUp: true });
    await trunk.finished();
    expectNotAnchored(trunk);
    const store = await openRegistrarStore(registrar.database, { realm: REGISTRAR_REALM });
    try {
      const events = await store.recordingEvents(10);
      expect(events).toHaveLength(1);
      expect(events[0]?.reason).toBe("relay-unavailable");
      expect(parseMetadata(events[0]?.metadata ?? "")).toMatchObject({
        user: "u-john",
        to: "02071234567",
        email: "john@example.com",
      });
    } finally {
      await store.close();
    }
    expect(everyRecordingFile()).toEqual(files);
    expect(existsSync(recordingDir)).toBe(true);
  });
});
