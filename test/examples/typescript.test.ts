/** examples/typescript, the estate `npm start` applies, run through the real engine against the embedded backend. */
import { describe, expect, it } from "vitest";
import { smallOffice } from "../../examples/typescript/estate.ts";
import { estateEngine, NUMBERS, startTestBackend, TERMS } from "../provider/harness.ts";

describe("examples/typescript", () => {
  it("applies the small office, then previews clean", async () => {
    await using backend = await startTestBackend();
    await using engine = await estateEngine(backend, async () =>
      smallOffice({ termsVersion: TERMS, callerIds: [NUMBERS[0]!, NUMBERS[1]!] }),
    );
    const up = await engine.up();
    expect(up.steps.filter((s) => s.op === "create")).toHaveLength(10); // 5 licences, 3 devices, 2 users
    const users = (
      await backend.call<{ name: string; extension: string; deviceIds: string[]; recording: { enabled: boolean } }[]>(
        "GET",
        "/v1/users",
      )
    ).body;
    expect(users.map((u) => [u.extension, u.name, u.deviceIds.length]).sort()).toEqual([
      ["200", "Priya Patel", 1],
      ["201", "John Smith", 2],
    ]);
    expect(users.find((u) => u.extension === "201")!.recording.enabled).toBe(true);
    await engine.preview({ expectNoChanges: true });
  });
});
