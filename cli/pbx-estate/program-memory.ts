/**
 * The estate's Pulumi program runs in the CLI's own process (an inline program), and the Node SDK holds
 * every resource's registration, with its outputs' promises, until the engine has carried out its step:
 * the benchmark's applies peaked near 1.2 GB at 5,000 resources and 7.4 GB at 50,000. An estate whose program would
 * not fit the heap Node.js allows is refused before the engine starts, naming the setting that lets it
 * run, rather than dying half-way through an apply with an out-of-memory crash.
 */
import { totalmem } from "node:os";
import { getHeapStatistics } from "node:v8";
import type { ResolvedEstate } from "../../schemas/estate.ts";
import { estateResources, type EstateAdoption } from "../../sdk/estate-resources.ts";
import { CliError } from "./errors.ts";

/** Heap a registered resource takes at the program's peak, with room to spare (measured: under 150 KB). */
const BYTES_PER_RESOURCE = 160 * 1024;
/** The CLI itself, the SDK and the engine's events besides the resources. */
const BASE_BYTES = 384 * 1024 * 1024;
const MB = 1024 * 1024;

/** The heap, in MB, the program of `resources` resources needs in this process. */
export function programHeapMb(resources: number): number {
  return Math.ceil((BASE_BYTES + resources * BYTES_PER_RESOURCE) / MB);
}

/** Refuses to run a program of `resources` resources that would not fit `heapLimitMb` (this process's). */
export function refuseProgramBeyondHeap(
  resources: number,
  heapLimitMb = getHeapStatistics().heap_size_limit / MB,
  memoryMb = totalmem() / MB,
): void {
  const needed = programHeapMb(resources);
  if (needed <= heapLimitMb) return;
  const gb = (mb: number) => `${(mb / 1024).toFixed(1)} GB`;
  const machine =
    needed > memoryMb * 0.8 ? `; this machine has ${gb(memoryMb)} in all, so run it where there is more` : "";
  throw new CliError(
    `the estate's program registers ${resources.toLocaleString("en")} resources, which needs about ${gb(needed)} ` +
      `of memory in this process, and Node.js allows it ${gb(heapLimitMb)}: run the command with ` +
      `NODE_OPTIONS=--max-old-space-size=${Math.ceil(needed / 1024) * 1024}${machine}. Nothing was changed.`,
  );
}

/** Refuses the program of `estate` (its keys adopting `adopt`) when it would not fit this process's heap. */
export function refuseEstateBeyondHeap(estate: ResolvedEstate, adopt?: EstateAdoption): void {
  refuseProgramBeyondHeap(estateResources(estate, adopt).length);
}
