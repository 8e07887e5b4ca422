// Starts `serve` as a separate OS process (for crash, lock and multi-process tests) and reads its ready line.
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const backendCommand = fileURLToPath(new URL("../../backend/cli/main.ts", import.meta.url));

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  tokenFile: string | null;
  stderr: () => string;
  /** Every line it wrote on stdout so far (its JSON logs and the ready line). */
  stdout: () => string;
}

/** Spawns serve with `args`; resolves when it prints its ready line, rejects with its stderr when it exits first. */
export function spawnServe(args: string[]): Promise<ServeProcess> {
  const child = spawn(process.execPath, [backendCommand, "serve", "--port", "0", "--log-level", "info", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  let out = "";
  child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (line) => (out += `${line}\n`));
    // Logs are JSON lines on stdout too: the ready line is the one with `url` and `tokenFile`.
    lines.on("line", (line) => {
      let ready: { url?: unknown; tokenFile?: unknown };
      try {
        ready = JSON.parse(line) as { url?: unknown; tokenFile?: unknown };
      } catch {
        return;
      }
      if (typeof ready.url === "string" && "tokenFile" in ready)
        resolve({
          child,
          url: ready.url,
          tokenFile: typeof ready.tokenFile === "string" ? ready.tokenFile : null,
          stderr: () => err,
          stdout: () => out,
        });
    });
    child.once("exit", (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
  });
}

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}
