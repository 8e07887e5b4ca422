/**
 * Benchmark: REGISTER latency and throughput against the real registrar on loopback, first idle, then
 * while 1,000-user revisions are published back to back (in a worker thread, as a backend process would).
 * Target from issue 6: p99 while publishing ≤ 3 × idle p99, and no timeouts.
 *
 *   npx node registrar/bench.ts [--requests 20000] [--concurrency 8] [--users 1000] [--database sqlite|postgres]
 *
 * PostgreSQL needs PBX_TEST_POSTGRES_URL; the benchmark creates its own database in that cluster and drops
 * it afterwards. Prints one JSON document.
 * The client is a minimal digest-authenticating UDP user agent: sipp 3.6 reports response times in whole
 * milliseconds, too coarse for sub-millisecond REGISTERs.
 */
import { createHash, randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import type { Socket } from "node:dgram";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { publishSnapshot } from "./publish.ts";
import type { RegistrarTarget } from "./publish.ts";
import { REGISTRAR_REALM, sipHa1 } from "./snapshot.ts";
import type { RevisionSnapshot } from "./snapshot.ts";
import { startRegistrar } from "./supervisor.ts";

const md5 = (s: string): string => createHash("md5").update(s).digest("hex");

function bulkSnapshot(revision: number, users: number): RevisionSnapshot {
  return {
    revision,
    users: Array.from({ length: users }, (_, i) => ({
      id: `u-${i}`,
      extension: String(10_000 + i).slice(-5),
      areaPrefix: revision % 2 === 0 ? "020" : "0161", // every revision really rewrites the rows
      callerId: `+4420794${String(60_000 + i).padStart(5, "0")}`,
      callPlan: "national-unlimited" as const,
    })),
    devices: Array.from({ length: users }, (_, i) => ({
      sipUsername: `bench-${i}`,
      ha1: sipHa1(`bench-${i}`, REGISTRAR_REALM, `pw-${i}`),
      userId: `u-${i}`,
    })),
  };
}

interface PublisherData {
  target: RegistrarTarget;
  users: number;
  firstRevision: number;
}

/** Worker: publishes revisions until told to stop, then reports how many and how long each took. */
async function publisher(data: PublisherData): Promise<void> {
  let stop = false;
  parentPort?.on("message", () => (stop = true));
  const durations: number[] = [];
  for (let revision = data.firstRevision; !stop; revision++) {
    const snapshot = bulkSnapshot(revision, data.users);
    const started = performance.now();
    await publishSnapshot(data.target, snapshot);
    durations.push(performance.now() - started);
    await new Promise((r) => setImmediate(r)); // SQLite calls are synchronous: let the stop message in
  }
  parentPort?.postMessage(durations);
}

interface Pending {
  resolve(response: string): void;
  timer: NodeJS.Timeout;
}

/** A digest-authenticating REGISTER client on one UDP socket, many transactions in flight. */
class RegisterClient {
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
  async register(username: string, password: string, timeoutMs: number): Promise<{ ms: number; status: number } | "timeout"> {
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
    const response = md5(`${md5(`${username}:${realm}:${password}`)}:${nonce}:00000001:${cnonce}:auth:${md5(`REGISTER:${uri}`)}`);
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

interface PhaseResult {
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

const percentile = (sorted: readonly number[], p: number): number =>
  sorted.length === 0 ? Number.NaN : (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN);
const round = (n: number): number => Math.round(n * 1000) / 1000;

async function phase(client: RegisterClient, requests: number, concurrency: number, users: number): Promise<PhaseResult> {
  const latencies: number[] = [];
  let refused = 0;
  let timeouts = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        const i = next++ % users;
        const result = await client.register(`bench-${i}`, `pw-${i}`, 2_000);
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

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      requests: { type: "string", default: "20000" },
      concurrency: { type: "string", default: "8" },
      users: { type: "string", default: "1000" },
      database: { type: "string", default: "sqlite" },
    },
  });
  const requests = Number(values.requests);
  const concurrency = Number(values.concurrency);
  const users = Number(values.users);
  const dir = mkdtempSync(join(tmpdir(), "registrar-bench-"));
  const scratch = values.database === "postgres" ? await scratchDatabase() : undefined;
  const registrar = await startRegistrar({
    dataDir: join(dir, "data"),
    logLevel: 1,
    ...(scratch === undefined ? {} : { database: { kind: "postgres" as const, url: scratch.url } }),
  });
  const client = new RegisterClient(registrar.host, registrar.port);
  try {
    await client.open();
    const first = await registrar.publish(bulkSnapshot(1, users));
    const warmup = await phase(client, Math.min(500, requests), concurrency, users);
    if (warmup.ok === 0) throw new Error(`no REGISTER succeeded while warming up: ${JSON.stringify(warmup)}`);
    const idle = await phase(client, requests, concurrency, users);

    const target: RegistrarTarget = { database: registrar.database, ctlSocket: registrar.ctlSocket, realm: registrar.realm };
    const worker = new Worker(new URL(import.meta.url), {
      workerData: { target, users, firstRevision: first.revision + 1 } satisfies PublisherData,
    });
    const publishDurations = new Promise<number[]>((resolve, reject) => {
      worker.once("message", (d: number[]) => resolve(d));
      worker.once("error", reject);
    });
    const publishing = await phase(client, requests, concurrency, users);
    worker.postMessage("stop");
    const durations = (await publishDurations).sort((a, b) => a - b);
    await worker.terminate();

    const ratio = publishing.p99Ms / idle.p99Ms;
    console.log(
      JSON.stringify(
        {
          registrar: { database: registrar.database.kind, users, concurrency, transport: "udp", host: registrar.host },
          idle,
          whilePublishing: {
            ...publishing,
            revisionsPublished: durations.length,
            publishP50Ms: round(percentile(durations, 50)),
            publishMaxMs: round(durations.at(-1) ?? Number.NaN),
          },
          p99Ratio: round(ratio),
          target: { p99RatioAtMost: 3, timeouts: 0, met: ratio <= 3 && publishing.timeouts === 0 && idle.timeouts === 0 },
        },
        null,
        2,
      ),
    );
  } finally {
    client.close();
    await registrar.stop();
    await scratch?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A database of its own in the cluster PBX_TEST_POSTGRES_URL points at. */
async function scratchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = process.env.PBX_TEST_POSTGRES_URL;
  if (admin === undefined) throw new Error("--database postgres needs PBX_TEST_POSTGRES_URL");
  const pg = (await import("pg")).default;
  const name = `pbx_registrar_bench_${randomBytes(4).toString("hex")}`;
  const run = async (sql: string): Promise<void> => {
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await run(`CREATE DATABASE ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

if (isMainThread) await main();
else await publisher(workerData as PublisherData);
