import { describe, expect, it } from "vitest";
import { programHeapMb, refuseProgramBeyondHeap } from "./program-memory.ts";

describe("the program's memory", () => {
  it("grows with the resources the program registers", () => {
    expect(programHeapMb(50_000)).toBeGreaterThan(9 * programHeapMb(5_000) - 9 * programHeapMb(0));
    expect(programHeapMb(5_000)).toBeLessThan(4144);
  });

  it("refuses a program beyond the heap, naming the setting that lets it run and that nothing changed", () => {
    expect(() => refuseProgramBeyondHeap(5_000, 4144, 24_000)).not.toThrow();
    const refusal = (() => {
      try {
        refuseProgramBeyondHeap(50_000, 4144, 24_000);
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(refusal).toMatch(/registers 50,000 resources, which needs about \d+\.\d GB .* allows it 4\.0 GB/);
    expect(refusal).toMatch(/Nothing was changed\.$/);
    const suggested = Number(/--max-old-space-size=(\d+)/.exec(refusal ?? "")?.[1]);
    expect(suggested).toBeGreaterThanOrEqual(programHeapMb(50_000));
    expect(() => refuseProgramBeyondHeap(50_000, suggested, 24_000)).not.toThrow();
    expect(() => refuseProgramBeyondHeap(50_000, 4144, 8_000)).toThrow(/this machine has 7\.8 GB in all/);
  });
});
