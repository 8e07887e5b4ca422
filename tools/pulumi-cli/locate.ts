/**
 * Finds the Pulumi CLI this project runs against: the binary named by PBX_ESTATE_PULUMI, else a `pulumi`
 * on PATH at least as new as the pinned version, else the pinned version built from the Go module proxy
 * into the user's cache (a clone's `npm run setup:pulumi`). Pure look-up: building is ./build.ts's job.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { promisify } from "node:util";
import { PULUMI_VERSION } from "./version.ts";

const execFileAsync = promisify(execFile);

/** The environment variable that names the `pulumi` binary to use, ahead of PATH. */
export const PULUMI_BINARY_VARIABLE = "PBX_ESTATE_PULUMI";

/** The pinned CLI version (generated from the wrapper module's go.mod): the lowest one a run accepts. */
export function pinnedPulumiVersion(): string {
  return PULUMI_VERSION;
}

/** A binary named by PBX_ESTATE_PULUMI that is missing or too old: an error, never a silent fallback. */
export class NamedPulumiUnusableError extends Error {}

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
  source: "variable" | "path" | "cache";
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
 * The CLI to use, or undefined when none is named, no new-enough `pulumi` is on PATH and no cached build
 * exists. A binary named by PBX_ESTATE_PULUMI is used or refused, never skipped. A `pulumi` on PATH wins
 * when it is at least the pinned version (users keep their own install); otherwise the cached build of
 * exactly the pinned version.
 */
export async function locatePulumi(pinned = pinnedPulumiVersion()): Promise<LocatedCli | undefined> {
  const named = process.env[PULUMI_BINARY_VARIABLE];
  if (named) {
    const version = existsSync(named) ? await cliVersion(named) : undefined;
    if (!version)
      throw new NamedPulumiUnusableError(
        `${PULUMI_BINARY_VARIABLE}=${named} is not a Pulumi CLI that runs (\`${named} version\` failed)`,
      );
    if (compareVersions(version, pinned) < 0) {
      throw new NamedPulumiUnusableError(
        `${PULUMI_BINARY_VARIABLE}=${named} is Pulumi ${version}; pbx-estate needs ${pinned} or newer`,
      );
    }
    return { binDir: dirname(named), binary: named, version, source: "variable" };
  }
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
