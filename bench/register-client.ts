/**
 * The REGISTER load generator shared by the registrar benchmarks (bench/registrar-nonstop.ts, bench/registrar.ts): a
 * minimal digest-authenticating UDP user agent with many transactions in flight, and a phase runner that
 * reports throughput and latency percentiles. sipp 3.6 reports response times in whole milliseconds, too
 * coarse for sub-millisecond REGISTERs.
 */
import { createHash, randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import type { Socket } from "node:dgram";

const md5 = (s: string): string => createHash("md5").update(s).digest("hex");

interface Pending {
  resolve(response: string): void;
  timer: NodeJS.Timeout;
}

/** A digest-authenticating REGISTER client on one UDP socket, many transactions in flight. */
export class RegisterClient {
  private readonly socket: Socket;
  private readonly pending = new Map<string, Pending>();
  private readonly host: string;
  private readonly port: number;
  private localPort = 0;
  private sequence = 0;

  constructor(host: string, port: number) {
    this.host = host;
    this.port = port;
    this.socket = createSocket("udp4");
    this.socket.on("message", (msg) => {
      const text = msg.toString("utf8");
      const branch = /branch=([^;\s]+)/.exec(text)?.[1];
      const waiting = branch === undefined ? undefined : this.pending.get(branch);
      if (waiting === undefined || branch === undefined) return;
      this.pending.delete(branch);
      clearTimeout(waiting.timer);
      waiting.resolve(text);
    });
  }

  async open(): Promise<void> {
    await new Promise<void>((done) => this.socket.bind(0, "127.0.0.1", () => done()));
    this.localPort = this.socket.address().port;
  }

  close(): void {
    this.socket.close();
  }

  private request(lines: string[], timeoutMs: number): Promise<string | undefined> {
    const branch = `z9hG4bK-${randomBytes(8).toString("hex")}`;
    const text = lines.join("\r\n").replace("{branch}", branch);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(branch);
        resolve(undefined);
      }, timeoutMs);
      this.pending.set(branch, { resolve, timer });
      this.socket.send(text, this.port, this.host);
    });
  }

  /** One registration: challenge, then the authenticated REGISTER, whose round trip is returned (ms). */
  async register(
    username: string,
    password: string,
    timeoutMs: number,
  ): Promise<{ ms: number; status: number } | "timeout"> {
    const n = ++this.sequence;
    const uri = `sip:${this.host}:${this.port}`;
    const callId = `bench-${process.pid}-${n}`;
    const message = (cseq: number, auth: string | undefined): string[] => [
      `REGISTER ${uri} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${this.localPort};branch={branch}`,
      `From: <sip:${username}@${this.host}>;tag=${n}`,
      `To: <sip:${username}@${this.host}>`,
      `Call-ID: ${callId}`,
      `CSeq: ${cseq} REGISTER`,
      `Contact: <sip:${username}@127.0.0.1:9>`,
      ...(auth === undefined ? [] : [auth]),
      "Max-Forwards: 70",
      "Expires: 3600",
      "Content-Length: 0",
      "",
      "",
    ];
    const challenge = await this.request(message(1, undefined), timeoutMs);
    if (challenge === undefined) return "timeout";
    const realm = /realm="([^"]+)"/.exec(challenge)?.[1] ?? "";
    const nonce = /nonce="([^"]+)"/.exec(challenge)?.[1] ?? "";
    const cnonce = randomBytes(8).toString("hex");
    const response = md5(
      `${md5(`${username}:${realm}:${password}`)}:${nonce}:00000001:${cnonce}:auth:${md5(`REGISTER:${uri}`)}`,
    );
    const auth =
      `Authorization: Digest username="${username}", realm="${realm}", nonce="${nonce}", uri="${uri}", ` +
      `response="${response}", algorithm=MD5, qop=auth, nc=00000001, cnonce="${cnonce}"`;
    const started = performance.now();
    const answer = await this.request(message(2, auth), timeoutMs);
    const ms = performance.now() - started;
    if (answer === undefined) return "timeout";
    return { ms, status: Number(/^SIP\/2\.0 (\d{3})/.exec(answer)?.[1] ?? 0) };
  }
}

export interface PhaseResult {
  requests: number;
  ok: number;
  refused: number;
  timeouts: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export const percentile = (sorted: readonly number[], p: number): number =>
  sorted.length === 0
    ? Number.NaN
    : (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN);
export const round = (n: number): number => Math.round(n * 1000) / 1000;

/** `requests` REGISTERs, `concurrency` at a time, cycling over the credentials `credentials(i)` for i < users. */
export async function phase(
  client: RegisterClient,
  requests: number,
  concurrency: number,
  users: number,
  credentials: (i: number) => { username: string; password: string } = (i) => ({
    username: `bench-${i}`,
    password: `pw-${i}`,
  }),
): Promise<PhaseResult> {
  const latencies: number[] = [];
  let refused = 0;
  let timeouts = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        const i = next++ % users;
        const { username, password } = credentials(i);
        const result = await client.register(username, password, 2_000);
        if (result === "timeout") timeouts += 1;
        else if (result.status === 200) latencies.push(result.ms);
        else refused += 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    requests,
    ok: latencies.length,
    refused,
    timeouts,
    seconds: round(seconds),
    perSecond: Math.round(requests / seconds),
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    maxMs: round(latencies.at(-1) ?? Number.NaN),
  };
}
