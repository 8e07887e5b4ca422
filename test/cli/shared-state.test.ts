/**
 * Shared state for CI: the estate's state in PostgreSQL (Pulumi's postgres:// backend). A second, fresh
 * working folder plans against it and sees no changes; an apply while another holds the stack's lock is
 * refused and changes nothing, and so is an unlock while that run is going. Needs PBX_TEST_POSTGRES_URL (CI starts PostgreSQL, see .ci/run).
 */
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import type { EstatePlan } from "../../cli/pbx-estate/plan/model.ts";
import { startTestBackend } from "../provider/harness.ts";
import { cliProject, described, json } from "./harness.ts";

const serverUrl = process.env.PBX_TEST_POSTGRES_URL;
if (!serverUrl && process.env.CI !== "true")
  console.warn(
    "[pbx-estate] skipping shared PostgreSQL state: set PBX_TEST_POSTGRES_URL (see test/backend/start-postgres.sh)",
  );

/** A fresh database on the test server for one state backend, as a postgres:// URL Pulumi accepts. */
async function freshStateDatabase(url: string): Promise<string> {
  const name = `pulumi_state_${randomBytes(6).toString("hex")}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const state = new URL(url);
  state.pathname = `/${name}`;
  state.searchParams.set("sslmode", "disable");
  return state.toString();
}

describe.skipIf(!serverUrl && process.env.CI !== "true")("shared state in PostgreSQL", () => {
  it("a second working folder plans no changes, and an apply while another holds the lock is refused", async () => {
    if (!serverUrl)
      throw new Error(
        "PBX_TEST_POSTGRES_URL is not set: CI must start PostgreSQL (test/backend/start-postgres.sh) and export it",
      );
    await using backend = await startTestBackend();
    await using first = cliProject(backend);
    await using second = cliProject(backend);
    const env = {
      PULUMI_BACKEND_URL: await freshStateDatabase(serverUrl),
      PULUMI_CONFIG_PASSPHRASE: "shared by the CI runners",
    };

    const applied = await first.run(["apply", first.example("small-office")], env);
    expect(applied.code, described(applied)).toBe(0);
    const fromElsewhere = await second.run(["plan", second.example("small-office"), "--json"], env);
    expect(fromElsewhere.code, described(fromElsewhere)).toBe(0);
    expect(json<EstatePlan>(fromElsewhere).hasChanges).toBe(false);

    // The first folder renames John; its apply stops with John's change staged, holding the stack's lock.
    const file = join(first.dir, "small-office", "estate.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace("name: John Smith", "name: John A. Smith"));
    await backend.faults({ rules: [{ method: "PATCH", path: "^/v1/users/", action: "hold", times: 1 }] });
    const holding = first.run(["apply", join(first.dir, "small-office")], env);
    for (let i = 0; i < 600 && backend.backend.faults?.heldCount !== 1; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(backend.backend.faults?.heldCount).toBe(1);

    // The second folder has a change of its own to apply (Priya's name), so its apply needs the lock.
    const other = join(second.dir, "small-office", "estate.yaml");
    writeFileSync(other, readFileSync(other, "utf8").replace("name: Priya Patel", "name: Priya K. Patel"));
    const concurrent = await second.run(["apply", join(second.dir, "small-office"), "--yes"], env);
    expect(concurrent.code, described(concurrent)).toBe(1);
    expect(concurrent.stderr).toMatch(/lock/);
    // unlock reads who holds the lock from the PostgreSQL state too, and leaves a live run's lock alone.
    const unlock = await second.run(["unlock", join(second.dir, "small-office")], env);
    expect(unlock.code, described(unlock)).toBe(3);
    expect(unlock.stderr).toMatch(/locked by \S+, pid \d+, since \d{4}-/);

    await backend.call("POST", "/__test/faults/release");
    const finished = await holding;
    expect(finished.code, described(finished)).toBe(0);
    const users = (await backend.call<{ name: string }[]>("GET", "/v1/users")).body.map((u) => u.name).sort();
    expect(users).toEqual(["John A. Smith", "Priya Patel"]);
  }, 600_000);
});
