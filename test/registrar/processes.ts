/** The processes a registrar test started, found by what their command line names (a config or pid file). */
import { readdirSync, readFileSync } from "node:fs";

/** Live (not zombie) processes whose command line names `text`. */
export function processesNaming(text: string): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
        const state = /^State:\s+(\S)/m.exec(readFileSync(`/proc/${entry}/status`, "utf8"))?.[1];
        return cmdline.includes(text) && state !== "Z";
      } catch {
        return false; // exited while we looked
      }
    })
    .map(Number);
}
