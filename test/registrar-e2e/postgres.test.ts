/**
 * Two backends on one PostgreSQL database feed one registrar (Kamailio on PostgreSQL): devices created through
 * both at once, each its own applied revision, all reach the registrar — none lost, none rolled back — and every
 * outbox row ends delivered.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startBackend } from "../../backend/server.ts";
import type { Backend } from "../../backend/server.ts";
import { openStore } from "../../backend/store/index.ts";
import { insertAccount } from "../../backend/accounts/store.ts";
import { TERMS_VERSION } from "../../backend/catalogue/service.ts";
import { undelivered } from "../../backend/outbox/store.ts";
import { startRegistrar } from "../../registrar/index.ts";
import type { RunningRegistrar } from "../../registrar/index.ts";
import { createDatabase, describeWithPostgres, queryRows } from "../registrar/postgres.ts";
import { eventually, register } from "../registrar/sipp.ts";

describeWithPostgres("several backends on one PostgreSQL feeding one registrar", () => {
  const dir = mkdtempSync(join(tmpdir(), "pbx-registrar-pg-"));
  const cleanup: (() => Promise<void>)[] = [];
  let registrar: RunningRegistrar;
  let backends: Backend[];
  let token: string;
  let registrarUrl: string;

  beforeAll(async () => {
    const store = await createDatabase();
    const tables = await createDatabase();
    cleanup.push(
      () => store.drop(),
      () => tables.drop(),
    );
    registrarUrl = tables.url;
    registrar = await startRegistrar({
      dataDir: join(dir, "registrar"),
      database: { kind: "postgres", url: tables.url },
    });
    cleanup.unshift(() => registrar.stop());
    const s = await openStore({ kind: "postgres", url: store.url });
    const account = await insertAccount(
      s.db,
      { name: "Shared", timeZone: "UTC", numbers: ["+442079460000"] },
      new Date(),
    );
    await s.close();
    token = account.token;
    const attach = {
      host: registrar.host,
      port: registrar.port,
      database: registrar.database,
      ctlSocket: registrar.ctlSocket,
    };
    backends = await Promise.all(
      [0, 1].map(() =>
        startBackend({
          store: { kind: "postgres", url: store.url, poolSize: 4 },
          rateLimit: null,
          logLevel: "silent",
          registrar: { attach, accountId: account.account.id },
        }),
      ),
    );
    cleanup.unshift(async () => void (await Promise.all(backends.map((b) => b.stop()))));
  });
  afterAll(async () => {
    for (const step of cleanup) await step();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = async <T>(b: Backend, path: string, body: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${b.url}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  };

  it("loses no revision written through either process: the registrar ends on the last one with every device, every outbox row delivered", async () => {
    const count = 12;
    const order = await post<{ subscriptions: { id: string }[] }>(backends[0]!, "/v1/orders", {
      termsVersion: TERMS_VERSION,
      items: Array.from({ length: count }, () => ({ product: "sip-device-licence" })),
    });
    expect(order.status).toBe(201);
    const created = await Promise.all(
      order.body.subscriptions.map(async (s, i) => {
        for (;;) {
          const r = await post<{ sipUsername: string; sipPassword: string }>(backends[i % 2]!, "/v1/devices", {
            name: `Phone ${i}`,
            licenceId: s.id,
          });
          if (r.status === 201) return r.body;
          if (r.status !== 503) throw new Error(`device ${i}: ${r.status} ${JSON.stringify(r.body)}`); // 503 retry: serialization
        }
      }),
    );
    const last = (await backends[0]!.revisionSnapshot((await whoami(backends[0]!)).accountId)).revision;

    await eventually(
      async () => ((await undelivered(backends[0]!.store.db)).length === 0 ? true : undefined),
      "every outbox row delivered",
      20_000,
    );
    const [held] = await queryRows(registrarUrl, "SELECT revision FROM pbx_revision");
    expect(Number(held?.revision)).toBe(last);
    const usernames = (await queryRows(registrarUrl, "SELECT username FROM subscriber ORDER BY username")).map((r) =>
      String(r.username),
    );
    expect(usernames).toEqual(created.map((d) => d.sipUsername).sort());
    expect(
      await register(dir, registrar, { username: created[7]!.sipUsername, password: created[7]!.sipPassword }),
    ).toBe(200);
  });

  async function whoami(b: Backend): Promise<{ accountId: string }> {
    const res = await fetch(`${b.url}/v1/whoami`, { headers: { authorization: `Bearer ${token}` } });
    return (await res.json()) as { accountId: string };
  }
});
