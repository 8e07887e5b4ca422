/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access -- black-box tests read untyped JSON bodies */
// Two backend processes on one PostgreSQL database stay correct: racing for one extension, one wins.
import { afterAll, beforeAll, expect, it } from "vitest";
import { Client, describeEachStore, order, userBody } from "./harness.ts";
import { exited, spawnServe, type ServeProcess } from "./processes.ts";
import { openStore } from "../../backend/store/index.ts";
import { insertAccount } from "../../backend/accounts/store.ts";

describeEachStore(
  "two processes on one database",
  () => {
    const url = process.env.PBX_TEST_POSTGRES_URL!;
    let procs: ServeProcess[] = [];
    beforeAll(async () => {
      procs = await Promise.all([
        spawnServe(["--database", url, "--rate-limit", "off"]),
        spawnServe(["--database", url, "--rate-limit", "off"]),
      ]);
    });
    afterAll(async () => {
      for (const p of procs) p.child.kill("SIGTERM");
      await Promise.all(procs.map((p) => exited(p.child)));
    });

    it("lets exactly one of two processes take an extension; the other gets 409 naming the holder", async () => {
      const s = await openStore({ kind: "postgres", url });
      const { token } = await insertAccount(
        s.db,
        { name: "race", timeZone: "UTC", numbers: ["+442079460000"] },
        new Date(),
      );
      await s.close();
      const [a, b] = procs.map((p) => new Client(p.url, token));
      const [la, lb] = await order(a!, [
        { product: "user-licence", callPlan: "pay-as-you-go" },
        { product: "user-licence", callPlan: "pay-as-you-go" },
      ]);
      for (let round = 0; round < 5; round++) {
        const ext = `5${round}0`;
        const answers = await Promise.all([
          a!.post("/v1/users", userBody(la!, ext, { name: "A" })),
          b!.post("/v1/users", userBody(lb!, ext, { name: "B" })),
        ]);
        const statuses = answers.map((r) => r.status).sort();
        expect(statuses).toEqual([201, 409]);
        const loser = answers.find((r) => r.status === 409)!;
        const winner = answers.find((r) => r.status === 201)!;
        expect(loser.body.code).toBe("extension-taken");
        expect(loser.body.holders.map((h: { id: string }) => h.id)).toContain(winner.body.id);
        const users = (await a!.get("/v1/users")).body;
        expect(users.filter((u: { extension: string }) => u.extension === ext)).toHaveLength(1);
        expect((await a!.delete(`/v1/users/${winner.body.id}`)).status).toBe(204);
      }
    });
  },
  ["postgres"],
);
