/**
 * Nothing made twice when answers are lost. The backend's test-only fault injection answers 503 after
 * committing an order, a device create, a user create and a claim of a licence pending cancellation,
 * throttles a share of requests with 429 and Retry-After, and holds a committed order's or claim's answer
 * while the engine is killed outright.
 */
import { readdirSync, readlinkSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { EngineWorkspace } from "../engine/harness.ts";
import { estateEngine, startTestBackend, type TestBackend } from "./harness.ts";
import { johnEstate } from "./estate.ts";

interface Counts {
  subscriptions: number;
  devices: number;
  users: number;
}

async function counts(backend: TestBackend): Promise<Counts> {
  const n = async (path: string) => (await backend.call<unknown[]>("GET", path)).body.length;
  return { subscriptions: await n("/v1/subscriptions"), devices: await n("/v1/devices"), users: await n("/v1/users") };
}

const johnsEstate: Counts = { subscriptions: 3, devices: 2, users: 1 };

interface Sub {
  id: string;
  status: string;
  clientReference: string | null;
}
const subscriptions = async (backend: TestBackend) => (await backend.call<Sub[]>("GET", "/v1/subscriptions")).body;
const orderCount = async (backend: TestBackend) => (await backend.call<unknown[]>("GET", "/v1/orders")).body.length;

/**
 * John's estate applied and destroyed by another stack, leaving three licences pending cancellation, free
 * to claim; then `action` on the next `times` claims. Resolves to the number of orders so far.
 */
async function pendingLicencesOfAnotherStack(
  backend: TestBackend,
  action: "unavailable" | "hold",
  times: number,
): Promise<number> {
  await using other = await estateEngine(backend, async () => {
    johnEstate();
  });
  await other.up();
  await other.destroy();
  expect((await subscriptions(backend)).map((s) => s.status)).toEqual([
    "cancellation-scheduled",
    "cancellation-scheduled",
    "cancellation-scheduled",
  ]);
  await backend.faults({ rules: [{ method: "POST", path: "^/v1/subscriptions/[^/]+/reinstate$", action, times }] });
  return orderCount(backend);
}

/** The claims held: John's three licences active again, no order since `orders`, and nothing left to change. */
async function expectClaimedWithoutOrders(
  backend: TestBackend,
  engine: EngineWorkspace,
  orders: number,
): Promise<void> {
  expect(await orderCount(backend)).toBe(orders);
  expect(await counts(backend)).toEqual(johnsEstate);
  expect((await subscriptions(backend)).map((s) => s.status)).toEqual(["active", "active", "active"]);
  await engine.preview({ expectNoChanges: true });
}

/** John's estate as a second team's stack in the same account: its creates claim the pending licences. */
const secondTeam = (backend: TestBackend): Promise<EngineWorkspace> =>
  EngineWorkspace.create({
    projectName: "acme-pbx",
    stackName: "second-team",
    program: async () => {
      johnEstate();
    },
    config: { "pbx:endpoint": { value: backend.url }, "pbx:token": { value: backend.token, secret: true } },
  });

/** SIGKILLs every process working in `folder` (the CLI and the plugins it started), as a crash would. */
function killProcessesIn(folder: string): number {
  let killed = 0;
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      if (readlinkSync(`/proc/${pid}/cwd`) === folder) {
        process.kill(Number(pid), "SIGKILL");
        killed++;
      }
    } catch {
      // The process ended meanwhile, or is not ours to read.
    }
  }
  return killed;
}

async function until(condition: () => Promise<boolean>, what: string, deadlineMs = 60_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("lost answers and throttling", () => {
  it("a 503 after the commit of an order, a device create and a user create: the retries adopt, nothing is made twice", async () => {
    await using backend = await startTestBackend();
    await backend.faults({
      rules: [
        { method: "POST", path: "^/v1/orders$", action: "unavailable", times: 3 },
        { method: "POST", path: "^/v1/devices$", action: "unavailable", times: 2 },
        { method: "POST", path: "^/v1/users$", action: "unavailable", times: 1 },
      ],
    });
    await using engine = await estateEngine(backend, async () => {
      const estate = johnEstate();
      return { password: estate.desk.sipPassword };
    });
    await engine.up();
    expect(await counts(backend)).toEqual(johnsEstate);
    const injected = backend
      .logs()
      .split("\n")
      .filter((l) => l.includes('"status":503'));
    expect(injected).toHaveLength(6); // every fault fired, after its commit

    // The adopted device's password is known and current: its fingerprint matches what state recorded.
    const outputs = await engine.stack.outputs();
    expect((outputs.password!.value as string).length).toBeGreaterThanOrEqual(20);
    await engine.refreshPreview({ expectNoChanges: true });
    await engine.preview({ expectNoChanges: true });
  });

  it("a 503 after the commit of each claim of a licence pending cancellation: the retries find their own claims, nothing is ordered", async () => {
    await using backend = await startTestBackend();
    const orders = await pendingLicencesOfAnotherStack(backend, "unavailable", 3);
    await using engine = await secondTeam(backend);
    await engine.up();
    await backend.faults({ rules: [] });

    expect(
      backend
        .logs()
        .split("\n")
        .filter((l) => l.includes('"status":503')),
    ).toHaveLength(3);
    await expectClaimedWithoutOrders(backend, engine, orders);
    // Each claim recorded the claiming resource's reference, which is how the retry knew the claim was its own.
    const state = JSON.parse(engine.stateFile()) as {
      checkpoint: { latest: { resources: { id?: string; inputs?: { clientReference?: string } }[] } };
    };
    for (const s of await subscriptions(backend))
      expect(state.checkpoint.latest.resources.find((r) => r.id === s.id)?.inputs?.clientReference).toBe(
        s.clientReference,
      );
  });

  it("the engine killed while a committed claim's answer is held: the rerun adopts the claimed licence, nothing is ordered", async () => {
    await using backend = await startTestBackend();
    const orders = await pendingLicencesOfAnotherStack(backend, "hold", 1);
    await using engine = await secondTeam(backend);
    const workDir = engine.stack.workspace.workDir;
    const crashed = engine.up().then(
      () => "finished",
      () => "failed",
    );
    await until(
      async () => (await subscriptions(backend)).some((s) => s.status === "active"),
      "the first claim to commit",
    );
    expect(killProcessesIn(workDir)).toBeGreaterThan(0);
    expect(await crashed).toBe("failed");
    await backend.call("POST", "/__test/faults/release");
    await engine.stack.cancel();

    await engine.up();
    await expectClaimedWithoutOrders(backend, engine, orders);
  });

  it("with every third request throttled (429, Retry-After), up and destroy converge", async () => {
    await using backend = await startTestBackend();
    await backend.faults({ rules: [], errorShare: { status: 429, every: 3, retryAfterSeconds: 1 } });
    await using engine = await estateEngine(backend, async () => {
      johnEstate();
    });
    await engine.up();
    await engine.preview({ expectNoChanges: true });
    await engine.destroy();
    await backend.faults({ rules: [] }); // the test's own reads are not throttled
    const after = await counts(backend);
    expect(after).toEqual({ subscriptions: 3, devices: 0, users: 0 });
    const subs = (await backend.call<{ status: string }[]>("GET", "/v1/subscriptions")).body;
    expect(subs.map((s) => s.status)).toEqual([
      "cancellation-scheduled",
      "cancellation-scheduled",
      "cancellation-scheduled",
    ]);
  });

  it("the engine killed while a committed order's answer is held: the rerun makes nothing twice and ends with no changes", async () => {
    await using backend = await startTestBackend();
    await backend.faults({ rules: [{ method: "POST", path: "^/v1/orders$", action: "hold", times: 1 }] });
    await using engine = await estateEngine(backend, async () => {
      johnEstate();
    });
    const workDir = engine.stack.workspace.workDir;
    const crashed = engine.up().then(
      () => "finished",
      () => "failed",
    );
    await until(
      async () => (await backend.call<unknown[]>("GET", "/v1/orders")).body.length >= 1,
      "the first order to commit",
    );
    expect(killProcessesIn(workDir)).toBeGreaterThan(0);
    expect(await crashed).toBe("failed");
    await backend.call("POST", "/__test/faults/release");
    // What a user does after a crash: release the dead update's lock on the state.
    await engine.stack.cancel();

    await engine.up();
    expect(await counts(backend)).toEqual(johnsEstate);
    await engine.preview({ expectNoChanges: true });
  });

  it("a user that went live but could not be read back is recorded with its id, and the next up finishes it", async () => {
    await using backend = await startTestBackend();
    await using engine = await estateEngine(backend, async () => {
      johnEstate();
    });
    // Every apply's answer is lost after commit, and so is every read of a user: John's create fails after
    // he is live, since neither the apply nor a read can show him.
    await backend.faults({
      rules: [
        { method: "POST", path: "^/v1/change-sets/[^/]+/apply$", action: "drop", times: 100 },
        { method: "GET", path: "^/v1/users/usr_", action: "drop", times: 100 },
      ],
    });
    const failed = await engine.up().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(failed?.message).toMatch(
      /john[\s\S]*was applied but cannot be read back|john[\s\S]*closed the connection before answering/,
    );
    const state = JSON.parse(engine.stateFile()) as {
      checkpoint: { latest: { resources: { urn: string; id?: string; initErrors?: string[] }[] } };
    };
    const recorded = state.checkpoint.latest.resources.find((r) => r.urn.endsWith("::john"));
    const [live] = (await backend.call<{ id: string }[]>("GET", "/v1/users")).body;
    expect(recorded?.id).toBe(live!.id); // the engine knows the user it made: nothing is orphaned
    expect(recorded?.initErrors?.length).toBeGreaterThan(0);

    await backend.faults({ rules: [] });
    await engine.up();
    expect(await counts(backend)).toEqual(johnsEstate);
    await engine.preview({ expectNoChanges: true });
  });
});
