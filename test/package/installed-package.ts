/**
 * What a platform team does with the package, on one Node: install the packed tarball into a project of
 * their own beside another @pulumi/pulumi, compile a Pulumi program with their own tsc and run it through
 * the Automation API, run the CLI on an estate, install it globally into a read-only folder. Each step
 * asserts which Node really ran (the CLI, the backend, the plugin) and that nobody saw a warning.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../engine/harness.ts";
import {
  described,
  executableOf,
  globalPackageFolder,
  type InstalledBackend,
  nodesUnderTest,
  npm,
  packedTarball,
  pluginOf,
  readOnlyRunner,
  run,
  type RunResult,
  scratchRoot,
  startInstalledBackend,
  userEnvironment,
  userFolder,
  USER_PULUMI_VERSION,
  watchProcesses,
} from "./harness.ts";

const SLOW = 600_000;
const packageVersion = (JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string })
  .version;

/** Nothing a user sees may carry a Node warning (ExperimentalWarning, EBADENGINE, …). */
function expectNoWarnings(result: RunResult): void {
  expect(`${result.stdout}\n${result.stderr}`).not.toMatch(
    /ExperimentalWarning|EBADENGINE|DeprecationWarning|\(node:\d+\) /,
  );
}

/** Every @pulumi/pulumi folder in the tree, with its version. */
function pulumiCopies(folder: string): string[] {
  const copies: string[] = [];
  const visit = (modules: string): void => {
    if (!existsSync(modules)) return;
    for (const entry of readdirSync(modules)) {
      if (entry.startsWith("@")) {
        for (const scoped of readdirSync(join(modules, entry))) {
          const path = join(modules, entry, scoped);
          if (`${entry}/${scoped}` === "@pulumi/pulumi")
            copies.push(
              `${path}@${(JSON.parse(readFileSync(join(path, "package.json"), "utf8")) as { version: string }).version}`,
            );
          visit(join(path, "node_modules"));
        }
      } else if (!entry.startsWith(".")) visit(join(modules, entry, "node_modules"));
    }
  };
  visit(join(folder, "node_modules"));
  return copies;
}

export function describeInstalledPackage(which: keyof ReturnType<typeof nodesUnderTest>): void {
  const node = nodesUnderTest()[which];

  describe(`the packed package on the ${node.label}`, () => {
    let root: string;
    let folder: string;
    let tarball: string;
    let env: Record<string, string>;
    let pulumiBinary: string;
    let install: RunResult;
    let backend: InstalledBackend;
    const bin = (name: string) => join(folder, "node_modules", ".bin", name);

    beforeAll(async () => {
      tarball = await packedTarball();
      root = scratchRoot(which);
      folder = userFolder(root, tarball);
      ({ env, pulumiBinary } = await userEnvironment(root, folder, node));
      install = await npm(["install"], { cwd: folder, env, node });
      expect(install.code, described(install)).toBe(0);
      backend = await startInstalledBackend(folder, env);
    }, SLOW);

    afterAll(async () => {
      await backend?.stop();
      rmSync(root, { recursive: true, force: true });
    });

    it("installs beside the user's own @pulumi/pulumi as its one copy, with no engine warning", async () => {
      expectNoWarnings(install);
      expect(pulumiCopies(folder)).toEqual([
        `${join(folder, "node_modules", "@pulumi", "pulumi")}@${USER_PULUMI_VERSION}`,
      ]);
      const listed = await npm(["ls", "@pulumi/pulumi"], { cwd: folder, env, node });
      expect(listed.code, described(listed)).toBe(0);
      expect(listed.stdout).toContain(`@pulumi/pulumi@${USER_PULUMI_VERSION} deduped`);
      expect(
        listed.stdout
          .match(/@pulumi\/pulumi@(\S+)/g)
          ?.every((line) => line === `@pulumi/pulumi@${USER_PULUMI_VERSION}`),
      ).toBe(true);
    });

    it("`npx pbx-estate --version` prints the package's version, and every bin and command prints its help", async () => {
      const version = await npm(["exec", "--", "pbx-estate", "--version"], { cwd: folder, env, node });
      expect(version, described(version)).toMatchObject({ code: 0, stdout: `${packageVersion}\n` });
      const helps: [string, string[]][] = [
        ["pbx-estate", ["--help"]],
        ...["validate", "plan", "apply", "drift", "export", "destroy"].map((command): [string, string[]] => [
          "pbx-estate",
          [command, "--help"],
        ]),
        ["pbx-estate-backend", ["--help"]],
        ["pbx-estate-backend", ["--version"]],
        ...["serve", "create-account", "add-token"].map((command): [string, string[]] => [
          "pbx-estate-backend",
          [command, "--help"],
        ]),
      ];
      for (const [name, args] of helps) {
        const result = await run(bin(name), args, { cwd: folder, env });
        expect(result.code, `${name} ${args.join(" ")}: ${described(result)}`).toBe(0);
        expect(result.stdout.length, `${name} ${args.join(" ")}`).toBeGreaterThan(0);
        expect(result.stderr, `${name} ${args.join(" ")}`).toBe("");
      }
      const admin = await run(bin("pbx-estate-backend"), ["create-account", "--help"], { cwd: folder, env });
      expect(admin.stdout).toContain("--database");
    });

    it("serves the backend and its registrar on the Node under test, without a warning", () => {
      expect(backend.ready).toMatchObject({ node: node.version, version: packageVersion });
      expect(backend.ready.registrar).toMatchObject({ host: "127.0.0.1" });
      expect(executableOf(backend.child.pid!)).toBe(node.binary);
      expect(backend.stderr()).not.toMatch(/Warning|\(node:\d+\)/);
    });

    it(
      "compiles the user's Pulumi program with their tsc and runs it: John created, his extension changed, destroyed",
      async () => {
        const tsc = join(folder, "node_modules", "typescript", "bin", "tsc");
        const compiled = await run(node.binary, [tsc, "-p", "tsconfig.json"], { cwd: folder, env });
        expect(compiled.code, described(compiled)).toBe(0);

        mkdirSync(join(root, "program-state"));
        const deployEnv = {
          ...env,
          PULUMI_HOME: join(root, "pulumi-home"),
          PULUMI_BACKEND_URL: `file://${join(root, "program-state")}`,
          PULUMI_CONFIG_PASSPHRASE: "platform-team-passphrase",
          BACKEND_URL: backend.url,
          BACKEND_TOKEN: backend.token,
        };
        const plugins = watchProcesses(pluginOf(folder));
        const deploy = async (...args: string[]) => {
          const result = await run(node.binary, ["bin/deploy.js", ...args], { cwd: folder, env: deployEnv });
          expect(result.code, described(result)).toBe(0);
          expectNoWarnings(result);
          return JSON.parse(result.stdout.trim().split("\n").pop() ?? "") as {
            changes: Record<string, number>;
            outputs?: Record<string, unknown>;
          };
        };
        type LiveUser = {
          id: string;
          name: string;
          extension: string;
          callPlan: string;
          areaPrefix: string;
          outboundCallerId: string;
          recording: unknown;
          deviceIds: string[];
        };

        const created = await deploy("up", "201");
        expect(created.changes).toEqual({ create: 7 });
        expect(created.outputs).toMatchObject({ extension: "201" });
        const [john] = (await backend.call<LiveUser[]>("GET", "/v1/users")).body;
        expect(john).toMatchObject({
          name: "John Smith",
          extension: "201",
          callPlan: "national-unlimited",
          areaPrefix: "020",
          outboundCallerId: "+442079460000",
          recording: { enabled: true, email: "call-recordings@example.com", subject: "Outbound call: John Smith" },
        });
        const devices = (await backend.call<{ id: string; name: string }[]>("GET", "/v1/devices")).body;
        expect(devices.map((d) => d.name).sort()).toEqual(["John's Desk Phone", "John's Softphone"]);
        expect([...john!.deviceIds].sort()).toEqual(devices.map((d) => d.id).sort());

        const changed = await deploy("up", "202");
        expect(changed.changes).toEqual({ same: 6, update: 1 });
        expect((await backend.call<LiveUser[]>("GET", "/v1/users")).body).toMatchObject([
          { id: john!.id, extension: "202" },
        ]);

        const destroyed = await deploy("destroy");
        expect(destroyed.changes).toEqual({ delete: 7 });
        expect((await backend.call("GET", "/v1/users")).body).toEqual([]);
        expect((await backend.call("GET", "/v1/devices")).body).toEqual([]);

        const seen = [...plugins.stop().values()];
        expect(seen.length, "the dynamic-provider plugin was seen running").toBeGreaterThan(0);
        expect(new Set(seen)).toEqual(new Set([node.binary]));
      },
      SLOW,
    );

    it(
      "previews a stack that pbx-estate 0.1.0 wrote with no changes: the frozen provider shim loads this package's provider",
      async () => {
        const upgradeEnv = {
          ...env,
          PULUMI_HOME: join(root, "pulumi-home"),
          PULUMI_BACKEND_URL: `file://${join(root, "upgrade-state")}`,
          PULUMI_CONFIG_PASSPHRASE: "platform-team-passphrase",
          BACKEND_URL: backend.url,
          BACKEND_TOKEN: backend.token,
        };
        mkdirSync(join(root, "upgrade-state"));
        const fixture = join(repoRoot, "test", "package", "fixtures", "john-written-by-0.1.0.json");
        const imported = await run(node.binary, ["bin/deploy.js", "import", fixture], { cwd: folder, env: upgradeEnv });
        expect(imported.code, described(imported)).toBe(0);
        const previewed = await run(node.binary, ["bin/deploy.js", "preview", "201"], { cwd: folder, env: upgradeEnv });
        expect(previewed.code, described(previewed)).toBe(0);
        expectNoWarnings(previewed);
        expect((JSON.parse(previewed.stdout.trim().split("\n").pop() ?? "") as { changes: unknown }).changes).toEqual({
          same: 7,
        });
      },
      SLOW,
    );

    it(
      "the user's tsc refuses a number for an extension and an unknown field, with pulumi new's tsconfig and an ESM NodeNext one",
      async () => {
        const tsc = join(folder, "node_modules", "typescript", "bin", "tsc");
        cpSync(join(folder, "index.ts"), join(folder, "esm", "index.ts"));
        cpSync(join(folder, "misuse.ts"), join(folder, "esm", "misuse.ts"));
        for (const [project, cwd] of [
          ["tsconfig.misuse.json", folder],
          ["tsconfig.json", join(folder, "esm")],
        ] as const) {
          const checked = await run(node.binary, [tsc, "-p", project], { cwd, env });
          expect(checked.code, `${project}: ${described(checked)}`).not.toBe(0);
          const errors = checked.stdout.split("\n").filter((line) => /error TS\d+/.test(line));
          // Only the misuse is refused; the correct program beside it compiles.
          expect(errors.map((line) => /^(\S+?)\((\d+),\d+\): error (TS\d+)/.exec(line)?.slice(1))).toEqual([
            ["misuse.ts", "4", "TS2353"],
            ["misuse.ts", "5", "TS2322"],
          ]);
          expect(checked.stdout).toContain("'colour' does not exist");
          expect(checked.stdout).toMatch(/Type 'number' is not assignable to type 'Input<string>'/);
        }
      },
      SLOW,
    );

    it(
      "the installed pbx-estate validates, plans, applies, drifts (0, then 2 after a portal edit) and destroys examples/small-office",
      async () => {
        const estate = join(folder, "small-office");
        cpSync(join(repoRoot, "examples", "small-office"), estate, { recursive: true });
        const cliEnv = { ...env, PBX_ENDPOINT: backend.url, PBX_TOKEN: backend.token };
        const clis = watchProcesses((cmdline, cwd) => cwd === folder && cmdline.includes(".bin/pbx-estate "));
        const plugins = watchProcesses(pluginOf(folder));
        const cli = async (expected: number, ...args: string[]) => {
          const result = await run(bin("pbx-estate"), args, { cwd: folder, env: cliEnv });
          expect(result.code, `pbx-estate ${args.join(" ")}: ${described(result)}`).toBe(expected);
          expectNoWarnings(result);
          return result;
        };

        expect((await cli(0, "validate", "small-office")).stdout).toContain(
          "valid: estate small-office with 2 users and 3 devices",
        );
        expect((await cli(0, "plan", "small-office")).stdout).toContain("Users: 2 to create");
        expect((await cli(0, "apply", "small-office", "--yes")).stdout).toContain(
          "users: 2 created; devices: 3 created",
        );
        expect((await cli(0, "drift", "small-office")).stdout).toContain("In sync");

        const users = (await backend.call<{ id: string; extension: string }[]>("GET", "/v1/users")).body;
        const john = users.find((u) => u.extension === "201")!;
        expect(
          (await backend.call("PATCH", `/v1/users/${john.id}`, { outboundCallerId: "+442079460001" })).status,
        ).toBe(200);
        expect((await cli(2, "drift", "small-office")).stdout).toContain(
          "outboundCallerId: declared +442079460000, live +442079460001",
        );

        expect((await cli(0, "destroy", "small-office", "--yes")).stdout).toContain("cancellation");
        expect((await backend.call("GET", "/v1/users")).body).toEqual([]);

        const cliNodes = [...clis.stop().values()];
        expect(cliNodes.length, "the CLI was seen running").toBeGreaterThan(0);
        expect(new Set(cliNodes)).toEqual(new Set([node.binary]));
        const pluginNodes = [...plugins.stop().values()];
        expect(pluginNodes.length, "the dynamic-provider plugin was seen running").toBeGreaterThan(0);
        expect(new Set(pluginNodes)).toEqual(new Set([node.binary]));
      },
      SLOW,
    );

    it(
      "a global install whose package folder is read-only plans without a Pulumi CLI, and with --engine uses the one PBX_ESTATE_PULUMI names (saying how to get one without it)",
      async () => {
        const prefix = join(root, "global");
        const installed = await npm(["install", "--global", "--prefix", prefix, tarball], { cwd: root, env, node });
        expect(installed.code, described(installed)).toBe(0);
        expectNoWarnings(installed);
        const packageFolder = globalPackageFolder(prefix);
        const readOnly = readOnlyRunner(packageFolder);

        const [probe, probeArgs] = readOnly("/bin/sh", ["-c", `echo x > '${join(packageFolder, "probe")}'`]);
        const write = await run(probe, probeArgs, { cwd: root, env });
        expect(write.code, "the package folder really is read-only").not.toBe(0);

        const job = join(root, "ci-job");
        cpSync(join(repoRoot, "examples", "small-office"), join(job, "small-office"), { recursive: true });
        const [command, args] = readOnly(join(prefix, "bin", "pbx-estate"), ["plan", "small-office"]);
        const [, engineArgs] = readOnly(join(prefix, "bin", "pbx-estate"), ["plan", "small-office", "--engine"]);
        // No pulumi on PATH and no build cache: the Pulumi CLI can only come from the variable.
        const noPulumi = {
          ...env,
          PATH: env
            .PATH!.split(":")
            .filter((dir) => !dir.endsWith("/pulumi"))
            .join(":"),
          XDG_CACHE_HOME: join(root, "empty-cache"),
          PBX_ENDPOINT: backend.url,
          PBX_TOKEN: backend.token,
        };
        // The read path plans on a folder state backend without the engine.
        const readPath = await run(command, args, { cwd: job, env: noPulumi });
        expect(readPath.code, described(readPath)).toBe(0);
        expectNoWarnings(readPath);
        expect(readPath.stdout).toContain("Users: 2 to create");
        const missing = await run(command, engineArgs, { cwd: job, env: noPulumi });
        expect(missing.code, described(missing)).toBe(1);
        expect(missing.stderr).toContain("No Pulumi CLI v3.");
        expect(missing.stderr).toContain("https://www.pulumi.com/docs/install/");
        expect(missing.stderr).toContain("PBX_ESTATE_PULUMI");
        const planned = await run(command, engineArgs, {
          cwd: job,
          env: { ...noPulumi, PBX_ESTATE_PULUMI: pulumiBinary },
        });
        expect(planned.code, described(planned)).toBe(0);
        expectNoWarnings(planned);
        expect(planned.stdout).toContain("Users: 2 to create");
      },
      SLOW,
    );
  });
}
