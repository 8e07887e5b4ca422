/**
 * The media relay (real rtpengine, userspace) beside the registrar: started and answering `ping`, started
 * again on the same NG port when killed, gone once stopped; and a call recorded with the pcap method, driven
 * over NG the way Kamailio's rtpengine module does, with real RTP both ways: what lands in the recording
 * folder, where, when, in which format and with which modes (what registrar/README.md "Media relay" says).
 *
 * Ports of this file: NG ports are free ones; RTP ports 41000–41199.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ngRequest,
  RelayNotInstalledError,
  RelayStartError,
  RelayTimeoutError,
  startRelay,
} from "../../registrar/relay/index.ts";
import type { NgAddress, RunningRelay } from "../../registrar/relay/index.ts";
import { freeUdpPort, stopChild } from "../../registrar/supervision.ts";
import { processesNaming } from "./processes.ts";
import { describeWithRelay } from "./with-relay.ts";
import { audioPort, pcmuSdp, udpSocket } from "./relay-handset.ts";
import { eventually } from "./sipp.ts";

const RTP_PORTS = { min: 41_000, max: 41_199 };

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "relay-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ngOf = (relay: RunningRelay): NgAddress => ({ host: relay.host, port: relay.ngPort });

/** 20 ms of PCMU: a 12-byte RTP header (version 2, payload type 0) and 160 bytes all `fill`. */
function rtpPacket(sequence: number, ssrc: number, fill: number): Buffer {
  const packet = Buffer.alloc(12 + 160, fill);
  packet[0] = 0x80;
  packet[1] = 0;
  packet.writeUInt16BE(sequence, 2);
  packet.writeUInt32BE(sequence * 160, 4);
  packet.writeUInt32BE(ssrc, 8);
  return packet;
}

interface PcapFile {
  linkType: number;
  packets: { seconds: number; ip: Buffer }[];
}

/** A classic pcap file (little-endian, microseconds), as libpcap writes it on this machine. */
function readPcap(path: string): PcapFile {
  const data = readFileSync(path);
  expect(data.readUInt32LE(0)).toBe(0xa1b2c3d4);
  const packets: PcapFile["packets"] = [];
  for (let at = 24; at < data.length;) {
    const captured = data.readUInt32LE(at + 8);
    packets.push({
      seconds: data.readUInt32LE(at) + data.readUInt32LE(at + 4) / 1e6,
      ip: data.subarray(at + 16, at + 16 + captured),
    });
    at += 16 + captured;
  }
  return { linkType: data.readUInt32LE(20), packets };
}

/** The addresses and RTP payload of an IPv4/UDP packet. */
function udpOf(ip: Buffer): { from: number; to: number; rtp: Buffer; protocol: number } {
  const headerLength = ((ip[0] ?? 0) & 0x0f) * 4;
  return {
    protocol: ip[9] ?? 0,
    from: ip.readUInt16BE(headerLength),
    to: ip.readUInt16BE(headerLength + 2),
    rtp: ip.subarray(headerLength + 8),
  };
}

const modeOf = (path: string): number => statSync(path).mode & 0o777;
const filesIn = (folder: string): string[] => readdirSync(folder).sort();

describe("a relay that is not installed", () => {
  it("names the Debian package to install", async () => {
    const attempt = startRelay({
      dataDir: join(dir, "missing"),
      recordingDir: join(dir, "missing", "recordings"),
      binary: join(dir, "no-such-rtpengine"),
    });

    await expect(attempt).rejects.toThrow(RelayNotInstalledError);
    await expect(attempt).rejects.toThrow("apt-get install -y --no-install-recommends rtpengine-daemon");
  });
});

describeWithRelay("supervising the media relay", () => {
  it("starts and answers ping over NG", async () => {
    await using relay = await startRelay({
      dataDir: join(dir, "ping"),
      recordingDir: join(dir, "ping", "recordings"),
      rtpPorts: RTP_PORTS,
    });

    expect(await ngRequest(ngOf(relay), "ping")).toEqual({ result: "pong" });
    expect(modeOf(relay.recordingDir)).toBe(0o700);
  });

  it("starts rtpengine again on the same NG port after it is killed; the call in progress is lost", async () => {
    const recordingDir = join(dir, "restart", "recordings");
    await using relay = await startRelay({ dataDir: join(dir, "restart"), recordingDir, rtpPorts: RTP_PORTS });
    await using caller = await udpSocket();
    await using callee = await udpSocket();
    const heard = { byCaller: 0, byCallee: 0 };
    caller.on("message", () => (heard.byCaller += 1));
    callee.on("message", () => (heard.byCallee += 1));
    const tags = { "call-id": "killed-call", "from-tag": "caller" };
    const offer = await ngRequest(ngOf(relay), "offer", { ...tags, sdp: pcmuSdp(caller.address().port, 1) });
    const answer = await ngRequest(ngOf(relay), "answer", {
      ...tags,
      "to-tag": "callee",
      sdp: pcmuSdp(callee.address().port, 2),
    });
    await ngRequest(ngOf(relay), "start recording", { ...tags, "to-tag": "callee" });
    const talk = async (from: number): Promise<void> => {
      for (let sequence = from; sequence < from + 10; sequence++) {
        caller.send(rtpPacket(sequence, 0x1111, 0x11), audioPort(answer.sdp), "127.0.0.1");
        callee.send(rtpPacket(sequence, 0x2222, 0x22), audioPort(offer.sdp), "127.0.0.1");
        await new Promise((r) => setTimeout(r, 20));
      }
      await new Promise((r) => setTimeout(r, 200));
    };
    await talk(0);
    expect(heard).toEqual({ byCaller: 10, byCallee: 10 });
    // Until the call ends, its metadata file is empty: rtpengine writes it whole (the metadata string too) at the end.
    const [tmpFile] = filesIn(join(recordingDir, "tmp"));
    expect(readFileSync(join(recordingDir, "tmp", tmpFile ?? ""), "utf8")).toBe("");
    const firstPid = relay.pid();
    const ngPort = relay.ngPort;

    process.kill(firstPid ?? 0, "SIGKILL");

    await eventually(() => (relay.restarts() === 1 && relay.pid() !== undefined ? true : undefined), "a restart");
    await relay.ready();
    expect(relay.pid()).not.toBe(firstPid);
    expect(relay.ngPort).toBe(ngPort);
    expect(await ngRequest(ngOf(relay), "ping")).toEqual({ result: "pong" });
    // The new relay knows nothing of the call: its media sent to the same ports goes nowhere, its metadata never
    // leaves tmp/ (still empty), its pcap stays unfinished.
    await talk(10);
    expect(heard).toEqual({ byCaller: 10, byCallee: 10 });
    expect(await ngRequest(ngOf(relay), "delete", tags)).toMatchObject({
      result: "ok",
      warning: "Call-ID not found or tags didn't match",
    });
    expect(filesIn(join(recordingDir, "metadata"))).toEqual([]);
    expect(filesIn(join(recordingDir, "tmp"))).toEqual([tmpFile]);
    expect(readFileSync(join(recordingDir, "tmp", tmpFile ?? ""), "utf8")).toBe("");
  });

  it("says why it did not start when its NG port is taken", async () => {
    await using taken = await udpSocket();
    const attempt = startRelay({
      dataDir: join(dir, "taken"),
      recordingDir: join(dir, "taken", "recordings"),
      ngPort: taken.address().port,
      rtpPorts: RTP_PORTS,
    });

    await expect(attempt).rejects.toThrow(RelayStartError);
    await expect(attempt).rejects.toThrow(/NG control connection port .*Address already in use/);
  });

  it("leaves no rtpengine process behind once stopped, even with a recorded call in progress", async () => {
    const dataDir = join(dir, "stop");
    const recordingDir = join(dataDir, "recordings");
    const log: string[] = [];
    const relay = await startRelay({ dataDir, recordingDir, rtpPorts: RTP_PORTS, onLog: (line) => log.push(line) });
    const pidFile = join(dataDir, "rtpengine.pid");
    expect(processesNaming(pidFile)).toHaveLength(1);
    const fields = { "call-id": "stopped-call", "from-tag": "a" };
    await ngRequest(ngOf(relay), "offer", { ...fields, sdp: pcmuSdp(40_000, 1), "record call": "yes" });
    await ngRequest(ngOf(relay), "answer", { ...fields, "to-tag": "b", sdp: pcmuSdp(40_002, 2) });

    await relay.stop();

    await eventually(() => (processesNaming(pidFile).length === 0 ? true : undefined), "rtpengine to exit");
    // rtpengine 10.5 crashes on the way out: the call's recording is not finished, and no core file is left.
    expect(log).toContain("[supervisor] rtpengine stopped (SIGSEGV)");
    expect(filesIn(join(recordingDir, "metadata"))).toEqual([]);
    expect(filesIn(join(recordingDir, "tmp"))).toHaveLength(1);
    expect(filesIn(dataDir).filter((name) => name.startsWith("core"))).toEqual([]);
  });
});

/**
 * A lossy link in front of the relay: drops the first request and the relay's first answer, and answers
 * each request it forwards first with a reply carrying another cookie (which the client must ignore).
 */
async function lossyLinkTo(target: NgAddress): Promise<{ address: NgAddress; requests(): number; close(): void }> {
  const link = await udpSocket();
  const upstream = await udpSocket();
  let requests = 0;
  let answers = 0;
  let client: { port: number; address: string } | undefined;
  link.on("message", (message, from) => {
    requests += 1;
    client = from;
    if (requests === 1) return;
    link.send(Buffer.from("0000000000000000 d6:result4:ponge"), from.port, from.address);
    upstream.send(message, target.port, target.host);
  });
  upstream.on("message", (message) => {
    answers += 1;
    if (client !== undefined && answers > 1) link.send(message, client.port, client.address);
  });
  return {
    address: { host: "127.0.0.1", port: link.address().port },
    requests: () => requests,
    close: () => {
      link.close();
      upstream.close();
    },
  };
}

describeWithRelay("the NG client", () => {
  it("sends again until answered, and takes only the answer with its own cookie", async () => {
    const log: string[] = [];
    await using relay = await startRelay({
      dataDir: join(dir, "lossy"),
      recordingDir: join(dir, "lossy", "recordings"),
      rtpPorts: RTP_PORTS,
      onLog: (line) => log.push(line),
    });
    const link = await lossyLinkTo(ngOf(relay));
    try {
      // The offer's answer, not the stray "pong", after three sends of which the relay saw two.
      const answer = await ngRequest(
        link.address,
        "offer",
        { "call-id": "lossy", "from-tag": "a", sdp: pcmuSdp(40_000, 1) },
        { retransmitMs: 100 },
      );
      expect(answer.result).toBe("ok");
      expect(audioPort(answer.sdp)).toBeGreaterThanOrEqual(RTP_PORTS.min);
      expect(link.requests()).toBe(3);
      // The second one is recognised by its cookie and answered again, not run again.
      expect(log.filter((line) => line.includes("Received command 'offer'"))).toHaveLength(1);
      expect(log.filter((line) => line.includes("as a duplicate"))).toHaveLength(1);
    } finally {
      link.close();
    }
  });

  it("gives up at the deadline when nothing answers", async () => {
    const silent = { host: "127.0.0.1", port: await freeUdpPort("127.0.0.1") };
    const started = Date.now();

    await expect(ngRequest(silent, "ping", {}, { timeoutMs: 300 })).rejects.toThrow(RelayTimeoutError);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describeWithRelay("recording a call with the pcap method", () => {
  it("rtpengine itself makes the metadata file 0664 whatever its umask (why the supervisor watches)", async () => {
    const recordingDir = join(dir, "bare", "recordings");
    mkdirSync(recordingDir, { recursive: true, mode: 0o700 });
    const ngPort = await freeUdpPort("127.0.0.1");
    const bare = spawn(
      "/bin/sh",
      [
        "-c",
        'umask 077 && ulimit -c 0 && exec "$@"',
        "sh",
        "rtpengine",
        "--config-file=none",
        "--foreground",
        "--table=-1",
        "--interface=127.0.0.1",
        `--listen-ng=127.0.0.1:${ngPort}`,
        `--port-min=${RTP_PORTS.min}`,
        `--port-max=${RTP_PORTS.max}`,
        `--recording-dir=${recordingDir}`,
        "--recording-method=pcap",
        "--log-stderr",
      ],
      { stdio: "ignore", detached: true }, // its own process group, which stopChild stops
    );
    try {
      const ng = { host: "127.0.0.1", port: ngPort };
      await eventually(
        () =>
          ngRequest(ng, "ping", {}, { timeoutMs: 200 }).then(
            () => true,
            () => undefined,
          ),
        "rtpengine to answer",
      );
      const offer = await ngRequest(ng, "offer", {
        "call-id": "bare",
        "from-tag": "a",
        sdp: pcmuSdp(40_000, 1),
        "record call": "yes",
      });
      const stem = /([^/]+)\.pcap$/.exec(String((offer.recordings as string[])[0]))?.[1] ?? "";

      expect(modeOf(join(recordingDir, "pcaps", `${stem}.pcap`))).toBe(0o600);
      expect(modeOf(join(recordingDir, "tmp", `rtpengine-meta-${stem}.tmp`))).toBe(0o664);
      await ngRequest(ng, "delete", { "call-id": "bare", "from-tag": "a" });
    } finally {
      await stopChild(bare);
    }
  });

  it("writes the call's RTP both ways to a pcap, and its metadata on delete; both 0600", async () => {
    const recordingDir = join(dir, "record", "recordings");
    const log: string[] = [];
    await using relay = await startRelay({
      dataDir: join(dir, "record"),
      recordingDir,
      rtpPorts: RTP_PORTS,
      onLog: (line) => log.push(line),
    });
    const ng = ngOf(relay);
    await using caller = await udpSocket();
    await using callee = await udpSocket();
    const heard = { byCaller: [] as Buffer[], byCallee: [] as Buffer[] };
    caller.on("message", (m) => heard.byCaller.push(m));
    callee.on("message", (m) => heard.byCallee.push(m));
    const callId = "rec-1@pbx.example";
    const metadata = "recording-to=john@example.com;subject=Calls of John";

    const offeredAt = Date.now();
    const offer = await ngRequest(ng, "offer", {
      "call-id": callId,
      "from-tag": "caller-tag",
      sdp: pcmuSdp(caller.address().port, 1),
      "record call": "yes",
      metadata,
    });
    const answer = await ngRequest(ng, "answer", {
      "call-id": callId,
      "from-tag": "caller-tag",
      "to-tag": "callee-tag",
      sdp: pcmuSdp(callee.address().port, 2),
    });

    // Named after the URL-escaped Call-ID and 16 random hex digits; the pcap is named in both answers.
    const name = /^rec-1%40pbx\.example-[0-9a-f]{16}$/;
    const pcapPath = String((offer.recordings as string[])[0]);
    const stem = /([^/]+)\.pcap$/.exec(pcapPath)?.[1] ?? "";
    expect(stem).toMatch(name);
    expect(pcapPath).toBe(join(recordingDir, "pcaps", `${stem}.pcap`));
    expect(answer.recordings).toEqual([pcapPath]);
    // While the call lasts: the pcap (still empty), the metadata in tmp/, nothing in metadata/.
    expect(filesIn(join(recordingDir, "pcaps"))).toEqual([`${stem}.pcap`]);
    expect(statSync(pcapPath).size).toBe(0);
    expect(filesIn(join(recordingDir, "tmp"))).toEqual([`rtpengine-meta-${stem}.tmp`]);
    expect(filesIn(join(recordingDir, "metadata"))).toEqual([]);

    const toCallee = audioPort(offer.sdp); // the relay's port the callee sends to (offered to the callee)
    const toCaller = audioPort(answer.sdp); // the relay's port the caller sends to (answered to the caller)
    for (let sequence = 0; sequence < 10; sequence++) {
      caller.send(rtpPacket(sequence, 0x1111, 0x11), toCaller, "127.0.0.1");
      callee.send(rtpPacket(sequence, 0x2222, 0x22), toCallee, "127.0.0.1");
      await new Promise((r) => setTimeout(r, 20));
    }
    await eventually(
      () => (heard.byCaller.length === 10 && heard.byCallee.length === 10 ? true : undefined),
      "the relay to forward every packet both ways",
    );
    // Written in 4 KiB chunks while the call lasts: not complete until the metadata appears.
    const sizeDuringCall = statSync(pcapPath).size;
    expect(sizeDuringCall % 4096).toBe(0);

    await ngRequest(ng, "delete", { "call-id": callId, "from-tag": "caller-tag" });

    // On delete (no delete delay): the pcap is complete and the metadata moved to metadata/<…>.txt.
    const metadataPath = join(recordingDir, "metadata", `rtpengine-meta-${stem}.txt`);
    expect(filesIn(join(recordingDir, "metadata"))).toEqual([`rtpengine-meta-${stem}.txt`]);
    expect(filesIn(join(recordingDir, "tmp"))).toEqual([]);
    expect(modeOf(pcapPath)).toBe(0o600);
    expect(modeOf(metadataPath)).toBe(0o600);
    for (const sub of ["pcaps", "metadata", "tmp"]) expect(modeOf(join(recordingDir, sub))).toBe(0o700);

    expect(statSync(pcapPath).size).toBeGreaterThan(sizeDuringCall);
    const pcap = readPcap(pcapPath);
    expect(pcap.linkType).toBe(101); // LINKTYPE_RAW: each packet starts with its IPv4 header
    expect(pcap.packets).toHaveLength(20);
    const packets = pcap.packets.map((p) => ({ ...udpOf(p.ip), version: (p.ip[0] ?? 0) >> 4, seconds: p.seconds }));
    for (const packet of packets) {
      expect(packet).toMatchObject({ version: 4, protocol: 17 });
      expect(Math.abs(packet.seconds - Date.now() / 1000)).toBeLessThan(30);
    }
    // Each packet as the relay received it: from the handset's port to the relay's port, the RTP unchanged.
    const fromCaller = packets.filter((p) => p.from === caller.address().port);
    const fromCallee = packets.filter((p) => p.from === callee.address().port);
    expect(fromCaller.map((p) => p.to)).toEqual(Array(10).fill(toCaller));
    expect(fromCallee.map((p) => p.to)).toEqual(Array(10).fill(toCallee));
    expect(fromCaller.map((p) => p.rtp)).toEqual([...Array(10).keys()].map((s) => rtpPacket(s, 0x1111, 0x11)));
    expect(fromCallee.map((p) => p.rtp)).toEqual([...Array(10).keys()].map((s) => rtpPacket(s, 0x2222, 0x22)));

    // The metadata: the pcap's path, each SDP the relay sent out, the end, then the offer's `metadata`.
    const text = readFileSync(metadataPath, "utf8");
    expect(text.split("\n")[0]).toBe(pcapPath);
    expect(text).toMatch(/Timestamp started ms: \d+\.\d+\nSDP mode: offer\nSDP before RTP packet: 1\n\nv=0/);
    expect(text).toMatch(/Timestamp started ms: \d+\.\d+\nSDP mode: answer\nSDP before RTP packet: 1\n\nv=0/);
    expect(text).toMatch(/\nTimestamp terminated ms\(first monologue\): \d+\.\d+\n/);
    expect(text).toContain(`m=audio ${toCallee} `);
    expect(text).toContain(`m=audio ${toCaller} `);
    expect(text).toMatch(
      /\ncall start time: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\ncall end time: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\n/,
    );
    // Local time (a date-time without offset is read as local time), to the second.
    const startTime = /\ncall start time: (\S+)\n/.exec(text)?.[1] ?? "";
    expect(Math.abs(new Date(startTime).getTime() - offeredAt)).toBeLessThan(2_000);
    expect(text.trimEnd().endsWith(`\n${metadata}`)).toBe(true);
    expect(existsSync(join(recordingDir, "tmp", `rtpengine-meta-${stem}.tmp`))).toBe(false);
    // The relay logs the Call-ID, never the metadata.
    expect(log.some((line) => line.includes(callId))).toBe(true);
    expect(log.some((line) => line.includes("john@example.com"))).toBe(false);
  });

  it("finishes a recording only when the deleted call is destroyed: a delete delay defers it", async () => {
    const recordingDir = join(dir, "delay", "recordings");
    await using relay = await startRelay({ dataDir: join(dir, "delay"), recordingDir, rtpPorts: RTP_PORTS });
    const ng = ngOf(relay);
    const fields = { "call-id": "delayed", "from-tag": "a" };
    await ngRequest(ng, "offer", { ...fields, sdp: pcmuSdp(40_000, 1), "record call": "yes" });
    await ngRequest(ng, "answer", { ...fields, "to-tag": "b", sdp: pcmuSdp(40_002, 2) });

    const deleted = Date.now();
    await ngRequest(ng, "delete", { ...fields, "delete-delay": 2 }); // whole seconds, on a 1 s timer

    expect(filesIn(join(recordingDir, "metadata"))).toEqual([]);
    await eventually(
      () => (filesIn(join(recordingDir, "metadata")).length === 1 ? true : undefined),
      "the metadata to appear",
    );
    expect(Date.now() - deleted).toBeGreaterThanOrEqual(900);
  });
});
