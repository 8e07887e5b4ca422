/**
 * Benchmark: REGISTER latency and throughput against the real registrar on loopback, first idle, then
 * while 1,000-user revisions are published back to back (in a worker thread, as a backend process would).
 * Target: p99 while publishing ≤ 3 × idle p99, and no timeouts.
 *
 *   node bench/registrar-nonstop.ts [--requests 20000] [--concurrency 8] [--users 1000] [--database sqlite|postgres]
 *
 * PostgreSQL needs PBX_TEST_POSTGRES_URL; the benchmark creates its own database in that cluster and drops
 * it afterwards. Prints one JSON document.
 * The client is a minimal digest-authenticating UDP user agent: sipp 3.6 reports response times in whole
 * milliseconds, too coarse for sub-millisecond REGISTERs.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { publishSnapshot } from "../registrar/publish.ts";
import type { RegistrarTarget } from "../registrar/publish.ts";
import { REGISTRAR_REALM, sipHa1 } from "../registrar/snapshot.ts";
import type { RevisionSnapshot } from "../registrar/snapshot.ts";
import { startRegistrar } from "../registrar/supervisor.ts";
import { phase, percentile, RegisterClient, round } from "./register-client.ts";

function bulkSnapshot(revision: number, users: number): RevisionSnapshot {
  return {
    revision,
    users: Array.from({ length: users }, (_, i) => ({
      id: `u-${i}`,
      extension: String(10_000 + i).slice(-5),
      areaPrefix: revision % 2 === 0 ? "020" : "0161", // every revision really rewrites the rows
      callerId: `+4420794${String(60_000 + i).padStart(5, "0")}`,
      callPlan: "national-unlimited" as const,
      recording: null,
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

    const target: RegistrarTarget = {
      database: registrar.database,
      ctlSocket: registrar.ctlSocket,
      realm: registrar.realm,
    };
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
          target: {
            p99RatioAtMost: 3,
            timeouts: 0,
            met: ratio <= 3 && publishing.timeouts === 0 && idle.timeouts === 0,
          },
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
