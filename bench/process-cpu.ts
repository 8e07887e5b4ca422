// CPU seconds spent by the processes under this one (the engine, its plugins, the backend), sampled from /proc
// while some work runs and grouped by what each process is. On a shared 2-core machine wall time hides which
// process the time went to; CPU time per kind of process does not.
import { readdirSync, readFileSync } from "node:fs";

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux this runs on

interface Sample {
  parent: number;
  kind: string;
  ticks: number;
}

/** Peak resident set (VmHWM) of a process in MB, 0 when it is gone. */
export function peakRssOf(pid: number): number {
  try {
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return hwm ? Number(hwm) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** `known`: kinds already read, so a process's command line is read once (the sampler runs in the program's process). */
function readProcess(
  pid: number,
  classify: (cmdline: string) => string,
  known: Map<number, string>,
): Sample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the parenthesised command name, which may itself hold spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    let kind = known.get(pid);
    if (kind === undefined) {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
      kind = cmdline === "" ? "" : classify(cmdline);
      // A process may still be the shell or launcher that execs the real one: read again next time.
      if (kind !== "" && kind !== "other") known.set(pid, kind);
    }
    return { parent: Number(fields[1]), kind, ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined; // exited meanwhile
  }
}

/**
 * Runs `work` and returns, per kind (as `classify` names a process from its command line), the CPU seconds of
 * the descendants of this process, plus `program` for this process, and their highest peak resident set. A process that exits is counted up to its last
 * sample, so each loses at most one sampling interval.
 */
export async function cpuByProcessKind<T>(
  classify: (cmdline: string) => string,
  work: () => Promise<T>,
): Promise<{ result: T; cpuSeconds: Record<string, number>; peakRssMb: Record<string, number> }> {
  const peakRssMb: Record<string, number> = {};
  const lastTicks = new Map<number, { kind: string; ticks: number; first: number }>();
  let started = false;
  const known = new Map<number, string>();
  const selfBefore = process.cpuUsage();
  const sample = () => {
    const all = new Map<number, Sample>();
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      const read = readProcess(Number(entry), classify, known);
      if (read) all.set(Number(entry), read);
    }
    for (const [pid, read] of all) {
      let ancestor = read.parent;
      while (ancestor > 1 && ancestor !== process.pid) ancestor = all.get(ancestor)?.parent ?? 0;
      if (ancestor !== process.pid) continue;
      const seen = lastTicks.get(pid);
      // An exited process not yet reaped has an empty command line: it keeps the kind it had.
      if (seen && read.kind === "") read.kind = seen.kind;
      // A process born during the work counts from zero; one already running, from the first sample.
      lastTicks.set(pid, { kind: read.kind, ticks: read.ticks, first: seen?.first ?? (started ? 0 : read.ticks) });
      if (started) peakRssMb[read.kind] = Math.max(peakRssMb[read.kind] ?? 0, Math.round(peakRssOf(pid)));
    }
  };
  sample();
  started = true;
  const timer = setInterval(sample, 200);
  try {
    const result = await work();
    sample();
    const cpuSeconds: Record<string, number> = {};
    for (const { kind, ticks, first } of lastTicks.values())
      cpuSeconds[kind] = (cpuSeconds[kind] ?? 0) + (ticks - first) / TICKS_PER_SECOND;
    const self = process.cpuUsage(selfBefore);
    cpuSeconds.program = (self.user + self.system) / 1e6;
    for (const kind of Object.keys(cpuSeconds)) cpuSeconds[kind] = Math.round((cpuSeconds[kind] ?? 0) * 100) / 100;
    return { result, cpuSeconds, peakRssMb };
  } finally {
    clearInterval(timer);
  }
}
