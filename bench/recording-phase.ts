// The registrar benchmark's recording phase (bench/README.md): calls per second through Kamailio with recording on
// against off, in alternating rounds, and the delay from a recorded call's hang-up to its mail accepted by a local
// SMTP sink. sipp is the caller (a device of a user who records, or of one who does not) and the callee (one
// device of a third user, answering every call), both streaming G.711 RTP; recorded calls go through rtpengine.
import { spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { readFileSync, watch, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Backend } from "../backend/server.ts";
import { TERMS_VERSION } from "../backend/catalogue/service.ts";
import { callKey } from "../backend/recordings/call-mail.ts";
import { recordingFolders } from "../backend/recordings/folders.ts";
import { percentile, round } from "./register-client.ts";

const SCENARIOS = resolve(import.meta.dirname, "sipp");
const REGISTER_SCENARIO = resolve(import.meta.dirname, "../registrar/sipp/register.xml");

export interface RecordingPhaseOptions {
  backend: Backend;
  api: <T>(method: string, path: string, body?: unknown) => Promise<T>;
  registrarDataDir: string;
  /** sipp's working folder (its logs and the audio it streams). */
  workDir: string;
  callSeconds: number;
  callsPerRound: number;
  concurrentCalls: number;
  rounds: number;
  /** Mails the sink accepted so far: Message-ID → when. */
  accepted: Map<string, number>;
  numberE164: string;
}

interface Side {
  rounds: { callsPerSecond: number; calls: number; answered: number; seconds: number }[];
}

/** 8 kHz G.711 µ-law of one second of a tone: what sipp's rtp_stream plays, looped. */
function muLawTone(hz: number): Buffer {
  const out = Buffer.alloc(8000);
  for (let i = 0; i < out.length; i++) {
    const sample = Math.round(Math.sin((2 * Math.PI * hz * i) / 8000) * 8000);
    const sign = sample < 0 ? 0x80 : 0;
    const magnitude = Math.min(Math.abs(sample), 32635) + 0x84;
    let exponent = 7;
    while (exponent > 0 && (magnitude & (0x4000 >> (7 - exponent))) === 0) exponent--;
    const mantissa = (magnitude >> (exponent + 3)) & 0x0f;
    out[i] = ~(sign | (exponent << 4) | mantissa) & 0xff;
  }
  return out;
}

async function freeUdpPort(): Promise<number> {
  const socket = createSocket("udp4");
  await new Promise<void>((done) => socket.bind(0, "127.0.0.1", () => done()));
  const { port } = socket.address();
  await new Promise<void>((done) => socket.close(() => done()));
  return port;
}

let logs = 0;

/** Runs sipp in `workDir`; resolves with its exit code and the lines its scenario logged. */
function sipp(
  workDir: string,
  args: readonly string[],
): { done: Promise<{ code: number | null; lines: string[]; output: string }>; stop(): void } {
  const logFile = join(workDir, `sipp-${++logs}.log`);
  const child = spawn("sipp", [...args, "-nostdin", "-i", "127.0.0.1", "-trace_logs", "-log_file", logFile], {
    cwd: workDir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (c: Buffer) => (output = (output + c.toString()).slice(-4000)));
  child.stderr.on("data", (c: Buffer) => (output = (output + c.toString()).slice(-4000)));
  const done = new Promise<{ code: number | null; lines: string[]; output: string }>((settle, fail) => {
    child.once("error", fail);
    child.once("exit", (code) => {
      let lines: string[] = [];
      try {
        lines = readFileSync(logFile, "utf8").split("\n");
      } catch {
        // no line logged
      }
      settle({ code, lines, output });
    });
  });
  return { done, stop: () => child.kill("SIGKILL") };
}

const median = (values: number[]): number =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

function summary(side: Side): Record<string, unknown> {
  const rates = side.rounds.map((r) => r.callsPerSecond);
  return {
    callsPerSecond: round(median(rates)),
    spread: { min: round(Math.min(...rates)), max: round(Math.max(...rates)) },
    rounds: side.rounds,
  };
}

export async function recordingPhase(o: RecordingPhaseOptions): Promise<Record<string, unknown>> {
  const registrar = o.backend.registrar!;
  const target = `${registrar.host}:${registrar.port}`;
  writeFileSync(join(o.workDir, "caller.ulaw"), muLawTone(440));
  writeFileSync(join(o.workDir, "callee.ulaw"), muLawTone(1000));

  // Three users, one device each: who records, who does not, who answers.
  const order = await o.api<{ subscriptions: { id: string }[] }>("POST", "/v1/orders", {
    termsVersion: TERMS_VERSION,
    items: [
      ...Array.from({ length: 3 }, () => ({ product: "user-licence", callPlan: "national-unlimited" })),
      ...Array.from({ length: 3 }, () => ({ product: "sip-device-licence" })),
    ],
  });
  const ids = order.subscriptions.map((s) => s.id);
  const people = [
    {
      name: "Recording caller",
      extension: "30001",
      recording: { enabled: true, email: "recordings@example.com", subject: "Benchmark call" },
    },
    { name: "Caller", extension: "30002", recording: { enabled: false } },
    { name: "Callee", extension: "30003", recording: { enabled: false } },
  ];
  const devices: { username: string; password: string }[] = [];
  for (const [i, person] of people.entries()) {
    const device = await o.api<{ id: string; sipUsername: string; sipPassword: string }>("POST", "/v1/devices", {
      name: `${person.name}'s phone`,
      licenceId: ids[3 + i]!,
    });
    const user = await o.api<{ id: string }>("POST", "/v1/users", {
      ...person,
      licenceId: ids[i]!,
      areaPrefix: "020",
      outboundCallerId: o.numberE164,
    });
    await o.api("POST", `/v1/users/${user.id}/devices`, { deviceId: device.id });
    devices.push({ username: device.sipUsername, password: device.sipPassword });
  }
  await o.backend.publisher!.settled();
  const [recorder, plain, callee] = devices as [(typeof devices)[0], (typeof devices)[0], (typeof devices)[0]];

  // The callee: one sipp answering every call, registered as the callee's device.
  const uasPort = await freeUdpPort();
  const uas = sipp(o.workDir, [
    "-sf",
    join(SCENARIOS, "answer-stream.xml"),
    "-p",
    String(uasPort),
    "-mp",
    String(await freeUdpPort()),
  ]);
  try {
    for (let attempt = 0; ; attempt++) {
      const reg = await sipp(o.workDir, [
        "-sf",
        REGISTER_SCENARIO,
        "-m",
        "1",
        "-p",
        String(await freeUdpPort()),
        "-s",
        callee.username,
        "-au",
        callee.username,
        "-ap",
        callee.password,
        "-key",
        "contact_port",
        String(uasPort),
        "-key",
        "expires",
        "3600",
        "-timeout",
        "10s",
        target,
      ]).done;
      if (reg.lines.some((l) => l.startsWith("REGISTER-RESULT 200"))) break;
      // The publication of the new users may still be on its way to Kamailio.
      if (attempt >= 20) throw new Error(`the callee's device does not register:\n${reg.output}`);
      await new Promise((r) => setTimeout(r, 250));
    }

    // Hang-ups of recorded calls as the relay sees them: the call's metadata file appearing (at the BYE).
    const hungUp = new Map<string, number>();
    const metadataDir = join(recordingFolders(o.registrarDataDir).relay, "metadata");
    const watcher = watch(metadataDir, (_event, file) => {
      const name = /^rtpengine-meta-(.+)\.txt$/.exec(file ?? "")?.[1];
      if (name === undefined) return;
      const key = callKey({ name });
      if (!hungUp.has(key)) hungUp.set(key, Date.now());
    });

    const sides: Record<"off" | "on", Side> = { off: { rounds: [] }, on: { rounds: [] } };
    const timeoutSeconds = Math.ceil(o.callsPerRound / o.concurrentCalls + 2) * (o.callSeconds + 10);
    try {
      for (let r = 0; r < o.rounds; r++) {
        // Alternating which side goes first, so both share the machine's drift.
        for (const side of r % 2 === 0 ? (["off", "on"] as const) : (["on", "off"] as const)) {
          const caller = side === "on" ? recorder : plain;
          const started = performance.now();
          const run = await sipp(o.workDir, [
            "-sf",
            join(SCENARIOS, "call-stream.xml"),
            "-p",
            String(await freeUdpPort()),
            "-mp",
            String(await freeUdpPort()),
            "-s",
            "30003",
            "-au",
            caller.username,
            "-ap",
            caller.password,
            "-key",
            "caller",
            caller.username,
            "-d",
            String(o.callSeconds * 1000),
            "-l",
            String(o.concurrentCalls),
            "-r",
            String(o.concurrentCalls),
            "-m",
            String(o.callsPerRound),
            "-timeout",
            `${timeoutSeconds}s`,
            target,
          ]).done;
          const seconds = (performance.now() - started) / 1000;
          const answered = run.lines.filter((l) => l.startsWith("HANGUP-RESULT 200")).length;
          if (answered === 0) throw new Error(`no call went through (recording ${side}):\n${run.output}`);
          sides[side].rounds.push({
            callsPerSecond: round(answered / seconds),
            calls: o.callsPerRound,
            answered,
            seconds: round(seconds),
          });
        }
      }
      // Every recorded call's mail, then each one's delay from its hang-up.
      const recorded = sides.on.rounds.reduce((n, r) => n + r.answered, 0);
      const deadline = Date.now() + 120_000;
      while (o.accepted.size < recorded && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    } finally {
      watcher.close();
    }
    const rows = await o.backend.store.db
      .selectFrom("mail_outbox")
      .select(["message_id", "source_key"])
      .where("source_key", "like", "recording:%")
      .execute();
    const delays: number[] = [];
    for (const row of rows) {
      const key = /^recording:([0-9a-f]+):1$/.exec(row.source_key ?? "")?.[1];
      const at = o.accepted.get(row.message_id);
      const end = key === undefined ? undefined : hungUp.get(key);
      if (at !== undefined && end !== undefined) delays.push(at - end);
    }
    delays.sort((a, b) => a - b);
    const off = summary(sides.off);
    const on = summary(sides.on);
    return {
      callSeconds: o.callSeconds,
      concurrentCalls: o.concurrentCalls,
      callsPerRound: o.callsPerRound,
      rounds: o.rounds,
      recordingOff: off,
      recordingOn: on,
      // Medians of each side's rounds, in the same run.
      onOverOff: round((on.callsPerSecond as number) / (off.callsPerSecond as number)),
      mail: {
        recordedCalls: sides.on.rounds.reduce((n, r) => n + r.answered, 0),
        mailsAccepted: delays.length,
        hangUpToAcceptedP50Ms: delays.length > 0 ? percentile(delays, 50) : null,
        hangUpToAcceptedP99Ms: delays.length > 0 ? percentile(delays, 99) : null,
        hangUpToAcceptedMaxMs: delays.length > 0 ? delays.at(-1) : null,
      },
    };
  } finally {
    uas.stop();
    await uas.done;
  }
}

/** The Message-ID header of a mail saved by the sink. */
export function messageIdOf(file: string): string | undefined {
  const head = readFileSync(file, "latin1").split("\r\n\r\n", 1)[0] ?? "";
  return /^message-id:\s*(\S+)/im.exec(head)?.[1];
}
