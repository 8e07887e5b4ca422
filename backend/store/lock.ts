// One process per embedded data directory: an O_EXCL pid file beside the directory.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";

export class StoreLockedError extends Error {
  constructor(dir: string, pid: number) {
    super(`the embedded store ${dir} is in use by process ${pid}; stop it first or choose another --data-dir`);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes the lock for `dir` or throws StoreLockedError; a lock left by a dead process is taken over. */
export function lockDataDir(dir: string): () => void {
  const path = `${dir}.lock`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, "wx", 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(path, "utf8") === String(process.pid)) unlinkSync(path);
        } catch {
          // already gone
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      let pid: number;
      try {
        pid = Number(readFileSync(path, "utf8"));
      } catch {
        continue;
      }
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) throw new StoreLockedError(dir, pid);
      try {
        unlinkSync(path);
      } catch {
        // another starter removed it first
      }
    }
  }
  throw new Error(`could not take the lock ${path}`);
}
