/**
 * The package as a platform team gets it: the tarball `npm pack` makes, installed into a fresh folder outside
 * the clone, run by one chosen Node with a PATH built from scratch (that Node and the Pulumi CLI, nothing
 * else), so every process the package starts can only be that Node. Nothing here imports the package's
 * sources: what runs is the installed files.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { engineCli } from "../../cli/engine-environment.ts";
import { repoRoot } from "../engine/harness.ts";

/** The other @pulumi/pulumi a user's program depends on: not the version this repository pins. */
export const USER_PULUMI_VERSION = "3.276.0";

export interface NodeUnderTest {
  label: string;
  binary: string;
  version: string;
}

/** The Nodes the package must run on, installed as npm aliases of the `node` package (dev dependencies). */
export function nodesUnderTest(): Record<"lowest" | "latest22" | "latest24", NodeUnderTest> {
  const at = (alias: string, label: string): NodeUnderTest => {
    const binary = realpathSync(join(repoRoot, "node_modules", alias, "bin", "node"));
    const version = spawnSync(binary, ["--version"], { encoding: "utf8" }).stdout.trim();
    return { label: `${label} (${version})`, binary, version };
  };
  return {
    lowest: at("node-22-13", "lowest supported Node 22"),
    latest22: at("node", "latest Node 22"),
    latest24: at("node-24", "latest Node 24"),
  };
}

/** The lowest Node the package's `engines` accepts (written `>=X.Y.Z`). */
export function enginesMinimum(): string {
  const manifest = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { engines: { node: string } };
  return manifest.engines.node.replace(/^>=\s*/, "v");
}

/** A program on the test process's own PATH (the user's PATH holds only node and pulumi). */
function onTestPath(name: string): string {
  const found = (process.env.PATH ?? "")
    .split(delimiter)
    .map((dir) => join(dir, name))
    .find((candidate) => existsSync(candidate));
  if (found === undefined) throw new Error(`${name} is not on PATH`);
  return realpathSync(found);
}

const npmCli = onTestPath("npm");
/** npm's machine-wide configuration (registry, CA file): npm looks for it beside the Node running it, which differs per Node under test. */
const npmGlobalConfig = spawnSync(process.execPath, [npmCli, "config", "get", "globalconfig"], {
  encoding: "utf8",
}).stdout.trim();

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function described(result: RunResult): string {
  return `exit ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}

export function run(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<RunResult> {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Every file of the working tree that git would commit (tracked, or new and not ignored). */
function workingTreeFiles(): string[] {
  const listed = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: repoRoot,
    encoding: "utf8",
  });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  return listed.stdout.split("\0").filter((file) => file !== "" && existsSync(join(repoRoot, file)));
}

/**
 * `npm pack`'s tarball of the working tree, made once per content (test files of one run share it): the
 * files git would commit are copied to a staging folder outside the clone, where `npm pack` builds (prepack)
 * and packs them, so nothing built in the clone, and nothing the other suites are using, is touched.
 */
export async function packedTarball(): Promise<string> {
  const files = workingTreeFiles();
  const digest = createHash("sha256");
  for (const file of files.sort())
    digest
      .update(file)
      .update("\0")
      .update(readFileSync(join(repoRoot, file)))
      .update("\0");
  const home = join(tmpdir(), `pbx-estate-pack-${digest.digest("hex").slice(0, 16)}`);
  const done = join(home, "tarball");
  if (!existsSync(done)) {
    let builder = true;
    try {
      mkdirSync(home);
    } catch {
      builder = false;
    }
    if (builder) {
      const staging = join(home, "staging");
      for (const file of files) cpSync(join(repoRoot, file), join(staging, file));
      symlinkSync(join(repoRoot, "node_modules"), join(staging, "node_modules"), "dir");
      const packed = await run(process.execPath, [npmCli, "pack", "--json", "--pack-destination", home], {
        cwd: staging,
        env: { ...process.env } as Record<string, string>,
      });
      if (packed.code !== 0) throw new Error(`npm pack failed\n${described(packed)}`);
      const [{ filename }] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf("["))) as [{ filename: string }];
      rmSync(staging, { recursive: true, force: true });
      writeFileSync(done, join(home, filename));
    } else {
      for (let waited = 0; !existsSync(done); waited += 500) {
        if (waited > 600_000)
          throw new Error(`no tarball in ${home} after 10 minutes: another test file's npm pack failed?`);
        await sleep(500);
      }
    }
  }
  return readFileSync(done, "utf8");
}

/**
 * The environment of every process in a user's folder: PATH holds only `node` (the Node under test), a
 * Pulumi install and `sh` (which npm runs scripts with), as links in folders of their own, so no other
 * Node on the machine can be found; HOME stays, so npm uses the cache `npm ci` filled.
 */
export async function userEnvironment(
  root: string,
  folder: string,
  node: NodeUnderTest,
): Promise<{ env: Record<string, string>; pulumiBinary: string }> {
  const { binDir } = await engineCli();
  const pulumiBinary = join(binDir, "pulumi");
  const nodeDir = join(root, "path", "node");
  const pulumiDir = join(root, "path", "pulumi");
  const shellDir = join(root, "path", "shell");
  for (const dir of [nodeDir, pulumiDir, shellDir]) mkdirSync(dir, { recursive: true });
  symlinkSync(node.binary, join(nodeDir, "node"));
  symlinkSync(pulumiBinary, join(pulumiDir, "pulumi"));
  // A Pulumi release ships the Node.js dynamic-provider plugin beside the CLI; the CLI built here from the Go
  // module proxy does not, so the user's Pulumi install gets the same script from their @pulumi/pulumi.
  const plugin = "pulumi-resource-pulumi-nodejs";
  symlinkSync(join(folder, "node_modules", "@pulumi", "pulumi", plugin), join(pulumiDir, plugin));
  symlinkSync(onTestPath("sh"), join(shellDir, "sh"));
  const env: Record<string, string> = {
    PATH: [nodeDir, pulumiDir, shellDir].join(delimiter),
    HOME: process.env.HOME ?? root,
    ...(process.env.NODE_EXTRA_CA_CERTS ? { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS } : {}),
    TMPDIR: tmpdir(),
    PULUMI_SKIP_UPDATE_CHECK: "true",
  };
  return { env, pulumiBinary };
}

/** npm, run by the Node under test (so its engine checks are that Node's). */
export function npm(
  args: string[],
  options: { cwd: string; env: Record<string, string>; node: NodeUnderTest },
): Promise<RunResult> {
  const env = { ...options.env, npm_config_globalconfig: npmGlobalConfig };
  return run(options.node.binary, [npmCli, "--no-audit", "--no-fund", "--prefer-offline", ...args], {
    cwd: options.cwd,
    env,
  });
}

/** A fresh user's folder outside the clone whose package.json depends on the tarball and another @pulumi/pulumi. */
export function userFolder(root: string, tarball: string): string {
  const folder = join(root, "platform-estate");
  cpSync(join(repoRoot, "test", "package", "consumer"), folder, { recursive: true });
  const manifest = {
    name: "platform-estate",
    private: true,
    dependencies: { "@pulumi/pulumi": USER_PULUMI_VERSION, "pbx-estate": `file:${tarball}` },
    devDependencies: { "@types/node": readDevDependency("@types/node"), typescript: readDevDependency("typescript") },
  };
  writeFileSync(join(folder, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  return folder;
}

function readDevDependency(name: string): string {
  const manifest = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
    devDependencies: Record<string, string>;
  };
  const version = manifest.devDependencies[name];
  if (version === undefined) throw new Error(`${name} is not a dev dependency`);
  return version;
}

export function scratchRoot(label: string): string {
  const root = mkdtempSync(join(tmpdir(), `pbx-estate-user-${label}-`));
  if (root.startsWith(repoRoot)) throw new Error("the user's folder must be outside the clone");
  return root;
}

/** The executable of a running process, resolved (the Node binary for a Node process). */
export function executableOf(pid: number): string | undefined {
  try {
    return realpathSync(readlinkSync(`/proc/${pid}/exe`));
  } catch {
    return undefined;
  }
}

/**
 * Watches the machine's processes while a command runs and records the executable of each one that
 * `belongs` accepts (by its command line and working directory). Polled, so it sees every process that
 * lives longer than the poll interval: the CLI, a backend, the dynamic-provider plugin.
 */
export function watchProcesses(belongs: (cmdline: string, cwd: string) => boolean): { stop(): Map<number, string> } {
  const seen = new Map<number, string>();
  const poll = (): void => {
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ");
        const cwd = readlinkSync(`/proc/${entry}/cwd`);
        if (!belongs(cmdline, cwd)) continue;
        const exe = executableOf(Number(entry));
        if (exe !== undefined) seen.set(Number(entry), exe);
      } catch {
        // the process ended while we looked
      }
    }
  };
  const timer = setInterval(poll, 50);
  poll();
  return {
    stop: () => {
      clearInterval(timer);
      poll();
      return seen;
    },
  };
}

/** A dynamic-provider plugin working for `folder`: in it, or in a workspace whose `pbx-estate` link leads into it. */
export function pluginOf(folder: string): (cmdline: string, cwd: string) => boolean {
  return (cmdline, cwd) => {
    if (!cmdline.includes("dynamic-provider")) return false;
    if (cwd === folder) return true;
    try {
      return (
        realpathSync(join(cwd, "node_modules", "pbx-estate")).startsWith(`${folder}/`) ||
        realpathSync(join(cwd, "node_modules", "pbx-estate")).startsWith(`${realpathSync(folder)}/`)
      );
    } catch {
      return false;
    }
  };
}

export interface InstalledBackend {
  child: ChildProcess;
  url: string;
  token: string;
  ready: { node: string; version: string; registrar: unknown };
  stderr: () => string;
  call<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

/** The installed package's `pbx-estate-backend serve` on a free port, with its registrar. */
export function startInstalledBackend(folder: string, env: Record<string, string>): Promise<InstalledBackend> {
  const dataDir = join(folder, "backend", "data");
  const child = spawn(
    join(folder, "node_modules", ".bin", "pbx-estate-backend"),
    ["serve", "--port", "0", "--database", dataDir, "--registrar", "--log-level", "warn"],
    {
      cwd: folder,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on("line", (line) => {
      let ready: { url?: string; tokenFile?: string; node?: string; version?: string; registrar?: unknown };
      try {
        ready = JSON.parse(line) as typeof ready;
      } catch {
        return;
      }
      if (typeof ready.url !== "string" || typeof ready.tokenFile !== "string") return;
      const url = ready.url;
      const token = readFileSync(ready.tokenFile, "utf8").trim();
      resolve({
        child,
        url,
        token,
        ready: { node: ready.node ?? "", version: ready.version ?? "", registrar: ready.registrar },
        stderr: () => stderr,
        async call<T>(method: string, path: string, body?: unknown) {
          const response = await fetch(`${url}${path}`, {
            method,
            headers: {
              authorization: `Bearer ${token}`,
              ...(body === undefined ? {} : { "content-type": "application/json" }),
            },
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          });
          return { status: response.status, body: (await response.json()) as T };
        },
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once("exit", () => done());
            child.kill("SIGTERM");
          }),
      });
    });
    child.once("exit", (code) => reject(new Error(`pbx-estate-backend serve exited with ${code}: ${stderr}`)));
  });
}

/** The package folder of a global install (`npm install -g --prefix`). */
export function globalPackageFolder(prefix: string): string {
  return join(prefix, "lib", "node_modules", "pbx-estate");
}

/**
 * Runs `command` with `folder` read-only, as a real read-only install would be: for root (who may write
 * anywhere) through a read-only bind mount in a private mount namespace, otherwise by taking write bits away.
 */
export function readOnlyRunner(folder: string): (command: string, args: string[]) => [string, string[]] {
  if (process.getuid?.() !== 0) {
    spawnSync("chmod", ["-R", "a-w", folder]);
    return (command, args) => [command, args];
  }
  const mount = onTestPath("mount");
  const script = `${mount} --bind "$1" "$1" && ${mount} -o remount,bind,ro "$1" && shift && exec "$@"`;
  return (command, args) => [
    onTestPath("unshare"),
    ["--mount", "/bin/sh", "-c", script, "sh", folder, command, ...args],
  ];
}
