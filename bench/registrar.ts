// `npm run bench:registrar [-- --users 1000 --requests 10000 --publishing-requests 40000 --concurrency 8
//   --call-seconds 10 --calls 60 --concurrent-calls 20 --call-rounds 3]` → bench/results/registrar.json.
// End to end: the backend (embedded store) with its own Kamailio, an estate of `users` users each
// with one device, all published through the outbox. REGISTER latency (the devices' own credentials, digest auth)
// is measured idle, then, in the same run, while applied revisions are published back to back: each revision is a
// direct user change, and each publication writes the whole 1,000-user snapshot to the registrar (the outbox
// delivers whole snapshots, coalescing revisions that arrive while one is being written). Target: p99 while
// publishing ≤ 3 × idle p99, and no timeouts. The REGISTER client runs in a worker thread, as handsets are not in
// the backend's process: the publisher's SQLite writes are synchronous and would otherwise stall the client's
// own event loop and be counted as registrar latency.
// Then, in the same run, recording (./recording-phase.ts): calls per second with recording on against off, and the
// delay from a recorded call's hang-up to its mail accepted by a local SMTP sink.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { parseArgs } from "node:util";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import type { PhaseResult } from "./register-client.ts";
import { startBackend } from "../backend/server.ts";
import { TERMS_VERSION } from "../backend/catalogue/service.ts";
import { percentile, phase, RegisterClient, round } from "./register-client.ts";
import { messageIdOf, recordingPhase } from "./recording-phase.ts";
import { startMailSink } from "../demo/mail-sink.ts";

interface ClientData {
  host: string;
  port: number;
  credentials: { username: string; password: string }[];
  concurrency: number;
}

/** Worker: one REGISTER client; each message `{ requests }` runs one phase and answers its result. */
async function clientWorker(data: ClientData): Promise<void> {
  const client = new RegisterClient(data.host, data.port);
  await client.open();
  parentPort?.on("message", (m: { requests: number } | "close") => {
    if (m === "close") {
      client.close();
      parentPort?.close();
      return;
    }
    void phase(client, m.requests, data.concurrency, data.credentials.length, (i) => data.credentials[i]!).then((r) =>
      parentPort?.postMessage(r),
    );
  });
}

if (!isMainThread) await clientWorker(workerData as ClientData);
else await main();

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      users: { type: "string", default: "1000" },
      requests: { type: "string", default: "10000" },
      "publishing-requests": { type: "string", default: "40000" },
      concurrency: { type: "string", default: "8" },
      "call-seconds": { type: "string", default: "10" },
      calls: { type: "string", default: "60" },
      "concurrent-calls": { type: "string", default: "20" },
      "call-rounds": { type: "string", default: "3" },
    },
  });
  const users = Number(values.users);
  const requests = Number(values.requests);
  const concurrency = Number(values.concurrency);
  const publishingRequests = Number(values["publishing-requests"]);
  const NUMBER = "+442079460000";
  const CHUNK = 50;

  const publishMs: number[] = [];
  const logDestination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk
        .toString()
        .split("\n")
        .filter((l) => l.includes('"registrar.published"')))
        publishMs.push((JSON.parse(line) as { ms: number }).ms);
      done();
    },
  });

  const dir = mkdtempSync(join(tmpdir(), "pbx-bench-registrar-"));
  // Recorded calls' mails: Message-ID → when the sink accepted it.
  const accepted = new Map<string, number>();
  const sink = await startMailSink(join(dir, "mail"), {
    onAccepted: (file) => {
      const at = Date.now();
      const id = messageIdOf(file);
      if (id !== undefined) accepted.set(id, at);
    },
  });
  const backend = await startBackend({
    store: { kind: "embedded", dataDir: null },
    rateLimit: null,
    logLevel: "info",
    logDestination,
    registrar: { dataDir: join(dir, "registrar") },
    // Its own RTP ports, apart from the suites' (test/registrar, test/recordings) and the default range.
    recording: { relayRtpPorts: { min: 42200, max: 42999 } },
    mail: { smtp: sink.smtp },
  });
  if (backend.relay === null) {
    await backend.stop();
    await sink.close();
    throw new Error("the recording phase needs rtpengine: bash registrar/install-debian.sh");
  }
  const registrar = backend.registrar!;
  const { accountId, token } = await backend.createAccount({
    name: "Bench",
    timeZone: "Europe/London",
    numbers: [NUMBER],
  });

  async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${backend.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? null : JSON.stringify(body),
    });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  /** Runs `task(i)` for i < n, `width` at a time. */
  async function pool(n: number, width: number, task: (i: number) => Promise<void>): Promise<void> {
    let next = 0;
    await Promise.all(
      Array.from({ length: width }, async () => {
        while (next < n) await task(next++);
      }),
    );
  }

  async function registrarRevision(): Promise<number> {
    const { openRegistrarStore } = await import("../registrar/index.ts");
    const store = await openRegistrarStore(registrar.database, { realm: registrar.realm });
    try {
      return (await store.revision()) ?? 0;
    } finally {
      await store.close();
    }
  }

  try {
    const setupStarted = performance.now();
    // The estate is built with the publisher held (3,000 revisions) and published once at the end.
    backend.publisher!.hold();
    const ids: string[] = [];
    // An order holds at most 100 items: CHUNK user licences and CHUNK device licences each.
    for (let start = 0; start < users; start += CHUNK) {
      const size = Math.min(CHUNK, users - start);
      const order = await api<{ subscriptions: { id: string }[] }>("POST", "/v1/orders", {
        termsVersion: TERMS_VERSION,
        items: [
          ...Array.from({ length: size }, () => ({ product: "user-licence", callPlan: "national-unlimited" })),
          ...Array.from({ length: size }, () => ({ product: "sip-device-licence" })),
        ],
      });
      ids.push(...order.subscriptions.map((s) => s.id));
    }
    const credentials: { username: string; password: string }[] = [];
    const userIds: string[] = [];
    await pool(users, 8, async (i) => {
      const chunk = Math.floor(i / CHUNK);
      const size = Math.min(CHUNK, users - chunk * CHUNK);
      const offset = chunk * 2 * CHUNK + (i % CHUNK);
      const device = await api<{ id: string; sipUsername: string; sipPassword: string }>("POST", "/v1/devices", {
        name: `Phone ${i}`,
        licenceId: ids[offset + size]!,
      });
      const user = await api<{ id: string }>("POST", "/v1/users", {
        name: `User ${i}`,
        extension: String(10_000 + i),
        licenceId: ids[offset]!,
        areaPrefix: "020",
        outboundCallerId: NUMBER,
        recording: { enabled: false },
      });
      await api("POST", `/v1/users/${user.id}/devices`, { deviceId: device.id });
      credentials[i] = { username: device.sipUsername, password: device.sipPassword };
      userIds[i] = user.id;
    });
    const revision = (await backend.revisionSnapshot(accountId)).revision;
    backend.publisher!.release();
    while ((await registrarRevision()) < revision) await new Promise((r) => setTimeout(r, 50));
    const setupSeconds = (performance.now() - setupStarted) / 1000;

    const worker = new Worker(new URL(import.meta.url), {
      workerData: { host: registrar.host, port: registrar.port, credentials, concurrency } satisfies ClientData,
    });
    const run = (n: number): Promise<PhaseResult> =>
      new Promise((resolve, reject) => {
        worker.once("message", (r: PhaseResult) => resolve(r));
        worker.once("error", reject);
        worker.postMessage({ requests: n });
      });
    const warmup = await run(Math.min(500, requests));
    if (warmup.ok === 0) throw new Error(`no REGISTER succeeded while warming up: ${JSON.stringify(warmup)}`);
    const idle = await run(requests);

    // Revisions back to back while REGISTERs run: each one makes the publisher write the whole estate again.
    let stop = false;
    let applied = 0;
    const before = publishMs.length;
    // Four writers, so revisions arrive faster than they are published and the publisher never rests.
    const writer = Promise.all(
      [0, 1, 2, 3].map(async (w) => {
        for (let i = w; !stop; i += 4) {
          await api("PATCH", `/v1/users/${userIds[i % users]!}`, { areaPrefix: i % 8 < 4 ? "0161" : "020" });
          applied += 1;
        }
      }),
    );
    const publishing = await run(publishingRequests);
    stop = true;
    await writer;
    await backend.publisher!.settled();
    worker.postMessage("close");
    await worker.terminate();

    const recording = await recordingPhase({
      backend,
      api,
      registrarDataDir: join(dir, "registrar"),
      workDir: mkdtempSync(join(dir, "sipp-")),
      callSeconds: Number(values["call-seconds"]),
      callsPerRound: Number(values.calls),
      concurrentCalls: Number(values["concurrent-calls"]),
      rounds: Number(values["call-rounds"]),
      accepted,
      numberE164: NUMBER,
    });

    const ratio = publishing.p99Ms / idle.p99Ms;
    const result = {
      registrar: { database: registrar.database.kind, transport: registrar.transport, users, concurrency },
      setup: { seconds: round(setupSeconds), revisions: revision },
      idle,
      whilePublishing: {
        ...publishing,
        revisionsApplied: applied,
        publications: publishMs.length - before,
        publishP50Ms: percentile(
          publishMs.slice(before).sort((a, b) => a - b),
          50,
        ),
        publishMaxMs: Math.max(...publishMs.slice(before)),
        // Share of the phase the publisher spent publishing (sum of delivery times / phase time).
        publishingShare: round(publishMs.slice(before).reduce((a, b) => a + b, 0) / 1000 / publishing.seconds),
      },
      p99Ratio: round(ratio),
      target: { p99RatioAtMost: 3, timeouts: 0, met: ratio <= 3 && publishing.timeouts === 0 && idle.timeouts === 0 },
      recording,
    };
    mkdirSync("bench/results", { recursive: true });
    writeFileSync("bench/results/registrar.json", `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await backend.stop();
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
