// The /__test routes move the clock and drop requests: each is on only by its own option, answers only the
// token the server wrote at start, and is never served on an address other hosts can reach.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { startBackend } from "../../backend/server.ts";
import { exited, spawnServe } from "./processes.ts";

const dir = mkdtempSync(join(tmpdir(), "pbx-test-hooks-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const backendCommand = fileURLToPath(new URL("../../backend/cli/main.ts", import.meta.url));

const put = (url: string, path: string, body: unknown, token?: string) =>
  fetch(`${url}${path}`, {
    method: "PUT",
    headers: { "content-type": "application/json", ...(token === undefined ? {} : { "pbx-test-token": token }) },
    body: JSON.stringify(body),
  });

function runServe(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [backendCommand, "serve", "--port", "0", "--database", "memory", ...args], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, stderr })));
}

describe("test hooks", () => {
  it("serves only the hooks asked for, and only to a caller holding the token", async () => {
    const backend = await startBackend({
      store: { kind: "embedded", dataDir: null },
      logLevel: "silent",
      clockStart: new Date("2025-03-14T10:00:00Z"),
      testHooks: { clock: true },
    });
    try {
      const token = backend.testHooksToken;
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const move = { now: "2025-04-01T00:00:00Z" };
      const anonymous = await put(backend.url, "/__test/clock", move);
      expect(anonymous.status).toBe(401);
      expect(((await anonymous.json()) as { code: string }).code).toBe("test-token-required");
      expect((await put(backend.url, "/__test/clock", move, `${token}x`)).status).toBe(401);
      expect(backend.clock.now().toISOString().slice(0, 10)).toBe("2025-03-14");

      expect((await put(backend.url, "/__test/clock", move, token!)).status).toBe(200);
      expect(backend.clock.now().toISOString().slice(0, 10)).toBe("2025-04-01");
      // Fault injection and the publisher hold were not asked for: not there, token or not.
      expect((await put(backend.url, "/__test/faults", { rules: [] }, token!)).status).toBe(404);
      expect((await put(backend.url, "/__test/publisher", { hold: true }, token!)).status).toBe(404);
      expect(backend.faults).toBeNull();
    } finally {
      await backend.stop();
    }
  });

  it("serves no /__test route and makes no token without a hook", async () => {
    const backend = await startBackend({
      store: { kind: "embedded", dataDir: null },
      logLevel: "silent",
      clockStart: new Date("2025-03-14T10:00:00Z"),
    });
    try {
      expect(backend.testHooksToken).toBeNull();
      expect((await put(backend.url, "/__test/clock", { now: "2025-04-01T00:00:00Z" })).status).toBe(404);
    } finally {
      await backend.stop();
    }
  });

  it("refuses to start with a hook on an address other hosts can reach", async () => {
    await expect(
      startBackend({
        store: { kind: "embedded", dataDir: null },
        logLevel: "silent",
        host: "0.0.0.0",
        testHooks: { faults: true },
      }),
    ).rejects.toThrow(/test hooks \(faults\) are served only on a loopback address; refusing to listen on 0\.0\.0\.0/);
  });

  it("serve: writes the token to a file only its owner reads, and the hooks answer it", async () => {
    const tokenFile = join(dir, "hooks", "token");
    const p = await spawnServe(["--database", "memory", "--test-faults", "--test-hooks-token-file", tokenFile]);
    try {
      expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
      const token = readFileSync(tokenFile, "utf8").trim();
      expect((await put(p.url, "/__test/faults", { rules: [] })).status).toBe(401);
      expect((await put(p.url, "/__test/faults", { rules: [] }, token)).status).toBe(200);
      expect((await put(p.url, "/__test/clock", { now: "2025-04-01T00:00:00Z" }, token)).status).toBe(404);
    } finally {
      p.child.kill("SIGTERM");
      await exited(p.child);
    }
  });

  it("serve: a hook without a token file is a usage error; a hook on a public address is refused", async () => {
    const noFile = await runServe(["--test-faults"]);
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toContain("test hooks need --test-hooks-token-file PATH");

    const exposed = await runServe([
      "--host",
      "0.0.0.0",
      "--test-clock",
      "2025-03-14T10:00:00Z",
      "--test-hooks-token-file",
      join(dir, "exposed-token"),
    ]);
    expect(exposed.code).toBe(1);
    expect(exposed.stderr).toContain(
      "test hooks (clock) are served only on a loopback address; refusing to listen on 0.0.0.0",
    );
  });
});
