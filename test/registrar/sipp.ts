/**
 * sipp as handsets and as the carrier trunk, driving the scenarios in registrar/sipp/. Each helper runs
 * the real `sipp` binary on loopback and reads back what the scenario logged.
 */
import { spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const SCENARIOS = resolve(import.meta.dirname, "../../registrar/sipp");

export interface SipTarget {
  host: string;
  port: number;
}

interface SippRun {
  code: number | null;
  output: string;
}

let sequence = 0;

function runSipp(
  dir: string,
  args: readonly string[],
  timeoutSeconds: number,
  calls = 1,
): { done: Promise<SippRun>; logFile: string; kill(): void } {
  const logFile = join(dir, `sipp-${process.pid}-${++sequence}.log`);
  const proc = spawn(
    "sipp",
    [
      ...args,
      "-m",
      String(calls),
      "-nostdin",
      "-i",
      "127.0.0.1",
      "-timeout",
      `${timeoutSeconds}s`,
      "-timeout_error",
      "-trace_logs",
      "-log_file",
      logFile,
    ],
    { cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  proc.stdout.on("data", (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
  proc.stderr.on("data", (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
  const done = new Promise<SippRun>((settle, fail) => {
    proc.on("error", fail);
    proc.on("exit", (code) => settle({ code, output }));
  });
  return { done, logFile, kill: () => proc.kill("SIGKILL") };
}

function logLines(file: string): string[] {
  return existsSync(file)
    ? readFileSync(file, "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "")
    : [];
}

function lastMatch(lines: readonly string[], pattern: RegExp): RegExpExecArray | undefined {
  return lines
    .map((l) => pattern.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .at(-1);
}

/** A handset registers with its credentials; resolves with the registrar's final status (200, 401, 403). */
export async function register(
  dir: string,
  registrar: SipTarget,
  device: { username: string; password: string; contactPort?: number; expires?: number },
): Promise<number> {
  const run = runSipp(
    dir,
    [
      "-sf",
      join(SCENARIOS, "register.xml"),
      "-p",
      String(await freeUdpPort()), // sipp would otherwise take 5060 when it is free
      "-s",
      device.username,
      "-au",
      device.username,
      "-ap",
      device.password,
      "-key",
      "contact_port",
      String(device.contactPort ?? 9),
      "-key",
      "expires",
      String(device.expires ?? 3600),
      `${registrar.host}:${registrar.port}`,
    ],
    15,
  );
  const { code, output } = await run.done;
  const result = lastMatch(logLines(run.logFile), /^REGISTER-RESULT (\d{3})/);
  if (code !== 0 || result === undefined) throw new Error(`sipp register exited ${code}:\n${output.slice(-3000)}`);
  return Number(result[1]);
}

/**
 * One handset registering `count` times in a row, up to 10 at once; resolves with the final status of
 * every attempt, in the order they completed. Any attempt without a final status makes it throw.
 */
export async function registerRepeatedly(
  dir: string,
  registrar: SipTarget,
  device: { username: string; password: string },
  count: number,
): Promise<number[]> {
  const run = runSipp(
    dir,
    [
      "-sf",
      join(SCENARIOS, "register.xml"),
      "-p",
      String(await freeUdpPort()), // sipp would otherwise take 5060 when it is free
      "-s",
      device.username,
      "-au",
      device.username,
      "-ap",
      device.password,
      "-key",
      "contact_port",
      "9",
      "-key",
      "expires",
      "3600",
      "-l",
      "10",
      "-r",
      "1000",
      `${registrar.host}:${registrar.port}`,
    ],
    60,
    count,
  );
  const { code, output } = await run.done;
  const statuses = logLines(run.logFile)
    .map((l) => /^REGISTER-RESULT (\d{3})/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]));
  if (code !== 0 || statuses.length !== count)
    throw new Error(`sipp register x${count} exited ${code} with ${statuses.length} results:\n${output.slice(-3000)}`);
  return statuses;
}

export interface CallResult {
  status: number;
  reason: string;
  /** true when the call was answered and the hang-up (BYE through the registrar) got its 200. */
  hungUp: boolean;
}

/**
 * A handset authenticates and dials `dial`; resolves with the final response to its INVITE. The scenario
 * `call-media` plays `caller.pcap` from `dir` once answered and hangs up `holdMs` later (default 1500);
 * `call-cancel` cancels at the 180.
 */
export async function call(
  dir: string,
  registrar: SipTarget,
  caller: { username: string; password: string },
  dial: string,
  options: { scenario?: "call" | "call-media" | "call-cancel"; holdMs?: number } = {},
): Promise<CallResult> {
  const run = runSipp(
    dir,
    [
      "-sf",
      join(SCENARIOS, `${options.scenario ?? "call"}.xml`),
      "-d",
      String(options.holdMs ?? 1500), // call-media's pause between the answer and the BYE
      "-mp",
      String(await freeUdpPort()), // not sipp's default 6000, which parallel callers would share
      "-p",
      String(await freeUdpPort()), // sipp would otherwise take 5060 when it is free
      "-s",
      dial,
      "-au",
      caller.username,
      "-ap",
      caller.password,
      "-key",
      "caller",
      caller.username,
      `${registrar.host}:${registrar.port}`,
    ],
    20,
  );
  const { code, output } = await run.done;
  const lines = logLines(run.logFile);
  const result = lastMatch(lines, /^CALL-RESULT (\d{3}) ?(.*)$/);
  if (code !== 0 || result === undefined) throw new Error(`sipp call exited ${code}:\n${output.slice(-3000)}`);
  return {
    status: Number(result[1]),
    reason: (result[2] ?? "").trim(),
    hungUp: lines.some((l) => l.startsWith("HANGUP-RESULT 200")),
  };
}

export interface ReceivedInvite {
  ruri: string;
  pai: string;
  from: string;
}

/** A sipp user agent server on a loopback port: a handset that answers or only rings, or the trunk. */
export interface Uas {
  port: number;
  /** INVITEs this UAS has received so far. */
  invites(): ReceivedInvite[];
  /** Lines its scenario logged so far. */
  log(): string[];
  /** Resolves when its one call is over; rejects if the scenario failed. */
  finished(): Promise<void>;
  stop(): void;
}

/**
 * `answer-media` answers with real media: early media from `early.pcap`, then `callee.pcap` from `dir`
 * (registrar/sipp/answer-media.xml); it serves as a handset or as the trunk.
 */
export async function startUas(
  dir: string,
  scenario: "device-answer" | "device-ring" | "device-busy" | "trunk" | "answer-media",
  port?: number,
): Promise<Uas> {
  const p = port ?? (await freeUdpPort());
  const run = runSipp(
    dir,
    ["-sf", join(SCENARIOS, `${scenario}.xml`), "-p", String(p), "-mp", String(await freeUdpPort())],
    60,
  );
  let exited: SippRun | undefined;
  void run.done.then((r) => (exited = r));
  await waitForUdpListener(p, () => exited !== undefined);
  const log = (): string[] => logLines(run.logFile);
  return {
    port: p,
    log,
    invites: () =>
      log()
        .map((l) => /(?:INVITE-RECEIVED|TRUNK-INVITE) ruri=(\S*) pai=\s*(.*?)(?: from=\s*(.*))?$/.exec(l))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => ({ ruri: m[1] ?? "", pai: (m[2] ?? "").trim(), from: (m[3] ?? "").trim() })),
    finished: async () => {
      const { code, output } = await run.done;
      if (code !== 0) throw new Error(`sipp ${scenario} on port ${p} exited ${code}:\n${output.slice(-3000)}`);
    },
    stop: () => run.kill(),
  };
}

export async function freeUdpPort(): Promise<number> {
  const socket = createSocket("udp4");
  await new Promise<void>((done) => socket.bind(0, "127.0.0.1", () => done()));
  const { port } = socket.address();
  await new Promise<void>((done) => socket.close(() => done()));
  return port;
}

/** Polls the kernel's table of UDP sockets until something listens on `port`. */
async function waitForUdpListener(port: number, gaveUp: () => boolean, timeoutMs = 10_000): Promise<void> {
  const hexPort = `:${port.toString(16).toUpperCase().padStart(4, "0")} `;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const table = ["/proc/net/udp", "/proc/net/udp6"]
      .map((f) => (existsSync(f) ? readFileSync(f, "utf8") : ""))
      .join("");
    if (table.split("\n").some((line) => line.trim().split(/\s+/)[1]?.endsWith(hexPort.trim()))) return;
    if (gaveUp()) throw new Error(`sipp exited before listening on UDP port ${port}`);
    if (Date.now() > deadline) throw new Error(`nothing listened on UDP port ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Polls `probe` until it returns a value that is not undefined, or fails after the deadline. */
export async function eventually<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
