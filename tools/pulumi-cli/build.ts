/**
 * Builds the pinned Pulumi CLI from the Go module proxy with the wrapper module beside this file,
 * version-stamped like the release build, into the user's cache. The binary is written to a temporary
 * name and renamed into place, so an interrupted build never leaves a broken CLI in the cache.
 */
import { spawn } from "node:child_process";
import { mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { wrapperModuleDir } from "./go-mod.ts";
import { cacheRoot } from "./locate.ts";

const versionPackage = "github.com/pulumi/pulumi/sdk/v3/go/common/version.Version";
const cliPackage = "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi";
const heartbeatMs = 15_000;

export class GoMissingError extends Error {}

export async function goVersion(): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn("go", ["version"], { stdio: ["ignore", "pipe", "ignore"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.on("error", () => resolve(undefined));
    child.on("close", (code) => resolve(code === 0 ? out.trim() : undefined));
  });
}

/** Builds `<cache>/<version>/bin/pulumi`; `log` receives progress lines while the compiler works. */
export async function buildPulumi(version: string, log: (line: string) => void): Promise<string> {
  const go = await goVersion();
  if (!go) throw new GoMissingError("Go is not installed");

  const binDir = join(cacheRoot(version), "bin");
  mkdirSync(binDir, { recursive: true });
  const target = join(binDir, "pulumi");
  const partial = `${target}.partial-${process.pid}`;
  log(`building the Pulumi CLI ${version} with ${go} (first time only; several minutes on 2 cores)`);

  const started = Date.now();
  let packagesCompiled = 0;
  let modulesDownloaded = 0;
  const args = [
    "build",
    "-v",
    "-trimpath",
    "-mod=readonly",
    "-ldflags",
    `-X ${versionPackage}=${version}`,
    "-o",
    partial,
    cliPackage,
  ];
  const child = spawn("go", args, {
    cwd: wrapperModuleDir,
    env: { ...process.env, CGO_ENABLED: "0", GOFLAGS: "-buildvcs=false" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let lastLines: string[] = [];
  child.stderr.on("data", (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n")) {
      if (!line) continue;
      // `go build -v` names each package as it is compiled; anything else is kept for the error report.
      if (/^[\w.\-/~]+$/.test(line)) packagesCompiled++;
      else if (line.startsWith("go: downloading ")) modulesDownloaded++;
      else lastLines = [...lastLines, line].slice(-20);
    }
  });
  const heartbeat = setInterval(() => {
    const seconds = Math.round((Date.now() - started) / 1000);
    log(
      `  still building: ${modulesDownloaded} modules downloaded, ${packagesCompiled} packages compiled, ${seconds}s`,
    );
  }, heartbeatMs);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", resolve);
    });
    if (code !== 0) {
      rmSync(partial, { force: true });
      throw new Error(`go build of the Pulumi CLI failed (exit ${code}):\n${lastLines.join("\n")}`);
    }
  } finally {
    clearInterval(heartbeat);
  }
  renameSync(partial, target);
  log(`built ${target} in ${Math.round((Date.now() - started) / 1000)}s`);
  return target;
}
