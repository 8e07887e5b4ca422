/**
 * The supervisor keeps Kamailio answering: a Kamailio that dies is started again on the same port with the
 * published tables, stopping leaves no process behind, and a machine without Kamailio is told what to
 * install.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegistrarNotInstalledError, startRegistrar } from "../../registrar/index.ts";
import { johnDesk, snapshot } from "./estate.ts";
import { processesNaming } from "./processes.ts";
import { eventually, register } from "./sipp.ts";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "registrar-sup-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("supervising Kamailio", () => {
  it("starts Kamailio again on the same port after it is killed, with the published credentials", async () => {
    const dataDir = join(dir, "restart");
    await using registrar = await startRegistrar({ dataDir });
    await registrar.publish(snapshot(1, [johnDesk]));
    expect(await register(dir, registrar, johnDesk)).toBe(200);
    const firstPid = registrar.pid();
    const port = registrar.port;

    process.kill(firstPid ?? 0, "SIGKILL");

    await eventually(
      () => (registrar.restarts() === 1 && registrar.pid() !== undefined ? true : undefined),
      "a restart",
    );
    await registrar.ready();
    expect(registrar.pid()).not.toBe(firstPid);
    expect(registrar.port).toBe(port);
    expect(await register(dir, registrar, johnDesk)).toBe(200);
    expect(await register(dir, registrar, { ...johnDesk, password: "wrong" })).toBe(401);
  });

  it("leaves no Kamailio process behind once stopped", async () => {
    const dataDir = join(dir, "stop");
    const registrar = await startRegistrar({ dataDir });
    const cfgPath = join(dataDir, "kamailio.cfg");
    expect(processesNaming(cfgPath).length).toBeGreaterThan(1); // the main process and its workers

    await registrar.stop();

    await eventually(
      () => (processesNaming(cfgPath).length === 0 ? true : undefined),
      "every Kamailio process to exit",
    );
  });

  it("takes Kamailio down with it when the process that started it is killed", async () => {
    const dataDir = join(dir, "orphan");
    const starter = spawn(process.execPath, [join(import.meta.dirname, "fixtures", "start-and-wait.ts"), dataDir], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    await new Promise<void>((ready, fail) => {
      starter.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("ready") && ready());
      starter.once("exit", (code) => fail(new Error(`the starter exited early (${code})`)));
    });
    const cfgPath = join(dataDir, "kamailio.cfg");
    expect(processesNaming(cfgPath).length).toBeGreaterThan(1);

    starter.kill("SIGKILL");

    await eventually(
      () => (processesNaming(cfgPath).length === 0 ? true : undefined),
      "every Kamailio process to exit",
    );
  });

  it("says which Debian packages to install when Kamailio is missing", async () => {
    const attempt = startRegistrar({ dataDir: join(dir, "missing"), kamailioBinary: join(dir, "no-such-kamailio") });

    await expect(attempt).rejects.toThrow(RegistrarNotInstalledError);
    await expect(attempt).rejects.toThrow(
      "apt-get install -y --no-install-recommends kamailio kamailio-sqlite-modules",
    );
  });
});
