// `npm run bench:backend [-- --seconds 4 --clients 16]` → bench/results/backend.json.
// For each store: reads (GET one user) and writes (a committed, durable PATCH of one user) at 16 concurrent
// clients on loopback, rate limiting off; and, in the same run, two floors: a trivial authenticated JSON route
// on the same server stack (httpFloorReadsPerSecond) and the same durable update straight into the store
// (storeFloorWritesPerSecond). PostgreSQL is measured when PBX_TEST_POSTGRES_URL is set.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Agent, request } from "undici";
import { startBackend, type Backend } from "../backend/server.ts";
import type { StoreOptions } from "../backend/store/index.ts";

const { values } = parseArgs({
  options: { seconds: { type: "string", default: "4" }, clients: { type: "string", default: "16" } },
});
const seconds = Number(values.seconds);
const clients = Number(values.clients);

interface Phase {
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  count: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Runs `op(client)` in `clients` concurrent loops for `seconds`; bounded in time and stops by itself. */
async function phase(op: (client: number, i: number) => Promise<void>): Promise<Phase> {
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const t = performance.now();
        await op(client, i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const round = (n: number): number => Math.round(n * 100) / 100;
  return {
    perSecond: round(latencies.length / elapsed),
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    count: latencies.length,
  };
}

async function benchStore(name: string, store: StoreOptions): Promise<Record<string, number>> {
  const backend: Backend = await startBackend({ store, rateLimit: null, logLevel: "silent" });
  const agent = new Agent({ connections: clients, pipelining: 1 });
  try {
    const { token } = await backend.createAccount({
      name: `bench-${name}`,
      timeZone: "UTC",
      numbers: ["+442079460000"],
    });
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const call = async (method: "GET" | "POST" | "PATCH", path: string, body?: unknown): Promise<unknown> => {
      const r = await request(`${backend.url}${path}`, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        dispatcher: agent,
      });
      const json = await r.body.json();
      if (r.statusCode >= 300) throw new Error(`${method} ${path}: ${r.statusCode} ${JSON.stringify(json)}`);
      return json;
    };
    const items = Array.from({ length: clients }, () => ({ product: "user-licence", callPlan: "pay-as-you-go" }));
    const ordered = (await call("POST", "/v1/orders", { termsVersion: "2025-01", items })) as {
      subscriptions: { id: string }[];
    };
    const users: string[] = [];
    for (const [i, s] of ordered.subscriptions.entries()) {
      const u = (await call("POST", "/v1/users", {
        name: `Bench ${i}`,
        extension: String(200 + i),
        licenceId: s.id,
        areaPrefix: "020",
        outboundCallerId: "+442079460000",
      })) as { id: string };
      users.push(u.id);
    }
    const userOf = (client: number): string => users[client % users.length] ?? "";

    const floor = await phase(async () => {
      await call("GET", "/v1/ping");
    });
    const reads = await phase(async (client) => {
      await call("GET", `/v1/users/${userOf(client)}`);
    });
    const writes = await phase(async (client, i) => {
      await call("PATCH", `/v1/users/${userOf(client)}`, { name: `Bench ${client} #${i}` });
    });
    const db = backend.store.db;
    const storeFloor = await phase(async (client, i) => {
      await db.transaction().execute(async (tx) => {
        await tx
          .updateTable("users")
          .set((eb) => ({ name: `Floor ${client} #${i}`, version: eb("version", "+", 1), updated_at: new Date() }))
          .where("id", "=", userOf(client))
          .execute();
      });
    });
    const round = (n: number): number => Math.round(n * 1000) / 1000;
    return {
      readsPerSecond: reads.perSecond,
      writesPerSecond: writes.perSecond,
      readP50Ms: reads.p50Ms,
      readP99Ms: reads.p99Ms,
      writeP50Ms: writes.p50Ms,
      writeP99Ms: writes.p99Ms,
      httpFloorReadsPerSecond: floor.perSecond,
      storeFloorWritesPerSecond: storeFloor.perSecond,
      readsVsFloor: round(reads.perSecond / floor.perSecond),
      writesVsFloor: round(writes.perSecond / storeFloor.perSecond),
      reads: reads.count,
      writes: writes.count,
    };
  } finally {
    await agent.close();
    await backend.stop();
  }
}

const dir = mkdtempSync(join(tmpdir(), "pbx-bench-"));
const stores: Record<string, Record<string, number>> = {};
try {
  stores.embedded = await benchStore("embedded", { kind: "embedded", dataDir: join(dir, "data") });
  const pg = process.env.PBX_TEST_POSTGRES_URL;
  if (pg) stores.postgres = await benchStore("postgres", { kind: "postgres", url: pg });
  else process.stderr.write("bench: PBX_TEST_POSTGRES_URL unset, PostgreSQL not measured\n");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const report = {
  generatedAt: new Date().toISOString(),
  clients,
  secondsPerPhase: seconds,
  node: process.version,
  targets: { embedded: { readsVsFloor: 0.5, writesVsFloor: 0.3 } },
  stores,
};
mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
writeFileSync(new URL("./results/backend.json", import.meta.url), `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
