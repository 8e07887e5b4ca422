/**
 * Finds the Pulumi CLI this project runs against: a `pulumi` on PATH at least as new as the pinned
 * version, or the pinned version built from the Go module proxy into the user's cache.
 * Pure look-up: building is the job of ./build.ts.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

export const wrapperModuleDir = import.meta.dirname;

/** The pinned CLI version, read from the wrapper module so the pin lives in exactly one place. */
export function pinnedPulumiVersion(): string {
  const goMod = readFileSync(join(wrapperModuleDir, "go.mod"), "utf8");
  const match = /github\.com\/pulumi\/pulumi\/pkg\/v3 (v\d+\.\d+\.\d+)/.exec(goMod);
  if (!match?.[1]) throw new Error(`tools/pulumi-cli/go.mod does not require github.com/pulumi/pulumi/pkg/v3`);
  return match[1];
}

/** `~/.cache/pbx-estate/pulumi/<version>`, holding `bin/pulumi` (the layout `PulumiCommand.get({ root })` expects). */
export function cacheRoot(version: string): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "pbx-estate", "pulumi", version);
}

export interface LocatedCli {
  /** Directory holding the `pulumi` binary. */
  binDir: string;
  binary: string;
  version: string;
  source: "path" | "cache";
}

/** Compares `v3.274.1`-style versions; pre-release and build suffixes are ignored. */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) => v.replace(/^v/, "").split(/[-+]/)[0]!.split(".").map(Number);
  const [pa, pb] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  return 0;
}

export async function cliVersion(binary: string): Promise<string | undefined> {
  try {
    const { stdout } = await execFileAsync(binary, ["version"], {
      env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
      timeout: 30_000,
    });
    const version = stdout.trim();
    return /^v?\d+\.\d+\.\d+/.test(version) ? version : undefined;
  } catch {
    return undefined;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * The CLI to use, or undefined when neither a new-enough `pulumi` on PATH nor a cached build exists.
 * A `pulumi` on PATH wins when it is at least the pinned version (users keep their own install);
 * otherwise the cached build of exactly the pinned version.
 */
export async function locatePulumi(pinned = pinnedPulumiVersion()): Promise<LocatedCli | undefined> {
  const fromPath = onPath("pulumi");
  if (fromPath) {
    const version = await cliVersion(fromPath);
    if (version && compareVersions(version, pinned) >= 0) {
      return { binDir: dirname(fromPath), binary: fromPath, version, source: "path" };
    }
  }
  const cached = join(cacheRoot(pinned), "bin", "pulumi");
  if (existsSync(cached)) {
    const version = await cliVersion(cached);
    if (version && compareVersions(version, pinned) === 0) {
      return { binDir: dirname(cached), binary: cached, version, source: "cache" };
    }
  }
  return undefined;
}
