/**
 * The outbox survives a crash between an apply's commit and its publication: `serve --registrar` (a child process)
 * commits a revision while its publisher is held (test hook), is killed with SIGKILL, and once started again the
 * registrar holds that revision and the new device registers.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { TERMS_VERSION } from "../../backend/catalogue/service.ts";
import { openRegistrarStore } from "../../registrar/index.ts";
import { exited, spawnServe } from "../backend/processes.ts";
import type { ServeProcess } from "../backend/processes.ts";
import { eventually, register } from "../registrar/sipp.ts";

const dir = mkdtempSync(join(tmpdir(), "pbx-registrar-crash-"));
const children: ServeProcess[] = [];
afterAll(async () => {
  for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill("SIGKILL");
  await Promise.all(children.map((c) => exited(c.child)));
  rmSync(dir, { recursive: true, force: true });
});

const hooksTokenFile = join(dir, "test-hooks-token");
const args = [
  "--database",
  join(dir, "data"),
  "--test-publisher",
  "--test-hooks-token-file",
  hooksTokenFile,
  "--registrar",
  "--registrar-dir",
  join(dir, "registrar"),
];

async function serve(): Promise<
  ServeProcess & {
    call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T; revision: number }>;
  }
> {
  const p = await spawnServe(args);
  children.push(p);
  const token = readFileSync(p.tokenFile!, "utf8").trim();
  const hooksToken = readFileSync(hooksTokenFile, "utf8").trim();
  return {
    ...p,
    call: async <T>(method: string, path: string, body?: unknown) => {
      const res = await fetch(`${p.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...(path.startsWith("/__test/") ? { "pbx-test-token": hooksToken } : {}),
        },
        body: body === undefined ? null : JSON.stringify(body),
      });
      const text = await res.text();
      return {
        status: res.status,
        body: (text ? JSON.parse(text) : null) as T,
        revision: Number(res.headers.get("pbx-revision")),
      };
    },
  };
}

async function registrarRevision(): Promise<number | null> {
  const store = await openRegistrarStore(
    { kind: "sqlite", path: join(dir, "registrar", "registrar.db") },
    { realm: "pbx-estate" },
  );
  try {
    return await store.revision();
  } finally {
    await store.close();
  }
}

interface Device {
  sipUsername: string;
  sipPassword: string;
  registrar: { host: string; port: number };
}

describe("a backend killed between commit and publish", () => {
  it("publishes the committed revision after restart", async () => {
    const first = await serve();
    const order = await first.call<{ subscriptions: { id: string }[] }>("POST", "/v1/orders", {
      termsVersion: TERMS_VERSION,
      items: [{ product: "sip-device-licence" }, { product: "sip-device-licence" }],
    });
    expect(order.status).toBe(201);
    const [l1, l2] = order.body.subscriptions.map((s) => s.id) as [string, string];
    const before = await first.call<Device>("POST", "/v1/devices", { name: "Published Phone", licenceId: l1 });
    expect(before.status).toBe(201);
    await eventually(
      async () => ((await registrarRevision()) ?? -1) >= before.revision || undefined,
      `revision ${before.revision} published`,
    );

    expect((await first.call("PUT", "/__test/publisher", { hold: true })).status).toBe(200);
    const held = await first.call<Device>("POST", "/v1/devices", { name: "Held Phone", licenceId: l2 });
    expect(held.status).toBe(201); // committed: the answer comes after the commit
    expect(held.revision).toBe(before.revision + 1);
    expect(await registrarRevision()).toBe(before.revision); // held: not published yet

    first.child.kill("SIGKILL");
    await exited(first.child);

    const second = await serve();
    await eventually(
      async () => ((await registrarRevision()) ?? -1) >= held.revision || undefined,
      `revision ${held.revision} published after restart`,
    );
    const registrar = held.body.registrar;
    expect(await register(dir, registrar, { username: held.body.sipUsername, password: held.body.sipPassword })).toBe(
      200,
    );

    second.child.kill("SIGTERM");
    expect(await exited(second.child)).toBe(0);
  });
});
