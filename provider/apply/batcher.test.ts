/**
 * The group-commit algorithm on its own, against an in-memory change-set API that enforces one rule of
 * the live configuration (an extension belongs to one user). The real backend and engine exercise the
 * same paths in the provider suites; here the interleavings are forced deterministically.
 */
import { describe, expect, it } from "vitest";
import { ApplyBatcher, type ChangeSetApi } from "./batcher.ts";

class ConflictError extends Error {
  readonly holders: string[];
  constructor(message: string, holders: string[]) {
    super(message);
    this.holders = holders;
  }
}

/** Users' extensions; change sets hold staged `user → extension` assignments. */
class InMemoryChangeSets implements ChangeSetApi {
  live = new Map<string, string>();
  sets = new Map<string, Map<string, string>>();
  applies: string[][] = [];
  private next = 0;

  async open() {
    const id = `cs${++this.next}`;
    this.sets.set(id, new Map());
    return id;
  }
  stage(changeSetId: string, user: string, extension: string) {
    this.sets.get(changeSetId)!.set(user, extension);
  }
  async apply(id: string) {
    const staged = this.sets.get(id)!;
    const result = new Map([...this.live, ...staged]);
    const holders = new Map<string, string>();
    for (const [user, ext] of result) {
      const other = holders.get(ext);
      if (other) throw new ConflictError(`extension ${ext} is held by ${other} and ${user}`, [other, user]);
      holders.set(ext, user);
    }
    this.live = result;
    this.sets.delete(id);
    this.applies.push([...staged.keys()]);
    return { revision: this.applies.length };
  }
  async discard(id: string) {
    this.sets.delete(id);
  }
  isRuleConflict(error: unknown) {
    return error instanceof ConflictError;
  }
  conflictObjects(error: unknown) {
    return error instanceof ConflictError ? error.holders : [];
  }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe("apply batching (group commit)", () => {
  it("waits a moment for the rest of a wave before applying", async () => {
    const api = new InMemoryChangeSets();
    const batcher = new ApplyBatcher(api, { lingerMs: 30 });
    const first = batcher.submit(async (cs) => api.stage(cs, "u1", "201"));
    await tick(); // the first change is staged and waiting
    const second = batcher.submit(async (cs) => api.stage(cs, "u2", "202"));
    const [a, b] = await Promise.all([first, second]);
    expect(a.revision).toBe(b.revision);
    expect(api.applies).toEqual([["u1", "u2"]]);
  });

  it("shares one apply among changes staged at the same time", async () => {
    const api = new InMemoryChangeSets();
    const batcher = new ApplyBatcher(api);
    const results = await Promise.all(
      ["u1", "u2", "u3", "u4"].map((user, i) =>
        batcher.submit(async (cs) => {
          await tick();
          api.stage(cs, user, `20${i}`);
          return user;
        }),
      ),
    );
    expect(api.applies).toEqual([["u1", "u2", "u3", "u4"]]);
    expect(results.map((r) => r.result)).toEqual(["u1", "u2", "u3", "u4"]);
    expect(new Set(results.map((r) => r.revision)).size).toBe(1);
    expect(batcher.stats).toEqual({ applies: 1, mutationsApplied: 4 });
  });

  it("a change staged while an apply runs goes into the next change set", async () => {
    const api = new InMemoryChangeSets();
    const batcher = new ApplyBatcher(api, { lingerMs: 0 });
    const first = batcher.submit(async (cs) => api.stage(cs, "u1", "201"));
    await tick(); // the first apply is under way or done
    const second = batcher.submit(async (cs) => api.stage(cs, "u2", "202"));
    const [a, b] = await Promise.all([first, second]);
    expect(b.revision).toBeGreaterThan(a.revision);
    expect(api.live).toEqual(
      new Map([
        ["u1", "201"],
        ["u2", "202"],
      ]),
    );
  });

  it("two users swapping extensions in separate hooks both go live, in either order", async () => {
    for (const firstMover of ["u1", "u2"]) {
      const api = new InMemoryChangeSets();
      api.live = new Map([
        ["u1", "201"],
        ["u2", "202"],
      ]);
      const batcher = new ApplyBatcher(api, { conflictRetryMs: 10 });
      const move = (user: string, ext: string) => batcher.submit(async (cs) => api.stage(cs, user, ext));
      const target = firstMover === "u1" ? "202" : "201";
      const first = move(firstMover, target);
      await new Promise((resolve) => setTimeout(resolve, 30)); // the first change is refused alone, then waits
      const second = move(firstMover === "u1" ? "u2" : "u1", firstMover === "u1" ? "201" : "202");
      await Promise.all([first, second]);
      expect(api.live).toEqual(
        new Map([
          ["u1", "202"],
          ["u2", "201"],
        ]),
      );
    }
  });

  it("a conflict holds back only the changes it names: the others go live, and may bring the partner", async () => {
    // u1 takes u2's extension; u2 moves on only after u3 (a change of the same set, named by no refusal) is
    // live, as a user whose update waits for a device the same run creates. Holding u3 back with u1 would
    // wait for u2 until the deadline, which is far beyond this test's time.
    const api = new InMemoryChangeSets();
    api.live = new Map([
      ["u1", "201"],
      ["u2", "202"],
    ]);
    const batcher = new ApplyBatcher(api, { conflictDeadlineMs: 3_600_000, conflictRetryMs: 10 });
    const move = (user: string, ext: string) =>
      batcher.submit(async (cs) => api.stage(cs, user, ext), { objectId: () => user });
    const taking = move("u1", "202");
    const partner = move("u3", "203").then(() => move("u2", "201"));
    await Promise.all([taking, partner]);
    expect(api.live).toEqual(
      new Map([
        ["u1", "202"],
        ["u2", "201"],
        ["u3", "203"],
      ]),
    );
    expect(api.applies).toContainEqual(["u3"]);
  });

  it("after the deadline only the change that really conflicts fails, naming both holders", async () => {
    const api = new InMemoryChangeSets();
    api.live = new Map([["u1", "201"]]);
    const batcher = new ApplyBatcher(api, { conflictDeadlineMs: 50, conflictRetryMs: 10 });
    const clash = batcher.submit(async (cs) => api.stage(cs, "u2", "201"));
    const fine = batcher.submit(async (cs) => api.stage(cs, "u3", "203"));
    await expect(clash).rejects.toThrow("extension 201 is held by u1 and u2");
    await expect(fine).resolves.toMatchObject({ revision: expect.any(Number) as number });
    expect(api.live.get("u3")).toBe("203");
    expect(api.live.has("u2")).toBe(false);
  });

  it("an error that is not a rule conflict fails the change set's hooks at once", async () => {
    const api = new InMemoryChangeSets();
    const batcher = new ApplyBatcher(api);
    api.apply = () => Promise.reject(new Error("backend unavailable"));
    await expect(batcher.submit(async (cs) => api.stage(cs, "u1", "201"))).rejects.toThrow("backend unavailable");
    expect(api.sets.size).toBe(0); // the refused change set was discarded
  });

  it("a hook that fails part-way through staging leaves nothing live; the others still apply", async () => {
    const api = new InMemoryChangeSets();
    const batcher = new ApplyBatcher(api);
    const bad = batcher.submit(async (cs) => {
      api.stage(cs, "u9", "209"); // staged, then the next call of the same hook is refused
      await tick();
      throw new Error("device dev_1 is linked to another user");
    });
    const good = batcher.submit(async (cs) => {
      await tick();
      api.stage(cs, "u1", "201");
    });
    await expect(bad).rejects.toThrow("linked to another user");
    await expect(good).resolves.toBeDefined();
    expect(api.live).toEqual(new Map([["u1", "201"]]));
  });
});
