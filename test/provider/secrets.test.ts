/**
 * SIP passwords are secrets end to end: after an `up`, the password is where it belongs (decrypted from
 * state with the passphrase, as a positive control) and nowhere in plaintext: not in the state file, the
 * engine's output, the plugin's stderr, the backend's logs or the audit log.
 *
 * Pulumi's own debug log (`-v=7` and above, off by default) traces provider payloads and secret values
 * in plaintext; that is the engine's, for debugging, and not something a provider can redact (docs/provider.md
 * says so).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { auditLog, estateEngine, pluginStderrCapture, startTestBackend } from "./harness.ts";
import { johnEstate } from "./estate.ts";

const scratch = mkdtempSync(join(tmpdir(), "pbx-secrets-"));
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

describe("secrets", () => {
  it("a device's SIP password is a secret output, encrypted in state and absent from every log", async () => {
    await using backend = await startTestBackend();
    const pluginStderr = join(scratch, "plugin-stderr.log");
    writeFileSync(pluginStderr, "");
    await using engine = await estateEngine(
      backend,
      async () => {
        const estate = johnEstate();
        return { deskPassword: estate.desk.sipPassword, deskUser: estate.desk.sipUsername };
      },
      "config",
      [pluginStderrCapture(scratch, pluginStderr)],
    );
    const up = await engine.stack.up();
    const preview = await engine.stack.preview({ diff: true });
    const outputs = await engine.stack.outputs();
    const password = outputs.deskPassword!;
    expect(password.secret).toBe(true);
    expect(typeof password.value).toBe("string");
    expect((password.value as string).length).toBeGreaterThanOrEqual(20);
    expect(outputs.deskUser!.secret).toBe(false);

    const state = engine.stateFile();
    expect(state).toContain(outputs.deskUser!.value as string); // the positive control for the search below
    expect(readFileSync(pluginStderr, "utf8")).toContain("plugin started"); // the capture did run
    const places: Record<string, string> = {
      "state file": state,
      "engine output": up.stdout + up.stderr,
      "preview with diff": preview.stdout + preview.stderr,
      "plugin stderr": readFileSync(pluginStderr, "utf8"),
      "backend log": backend.logs(),
      "audit log": JSON.stringify(await auditLog(backend)),
    };
    for (const [where, text] of Object.entries(places)) {
      expect(text.includes(password.value as string), `password found in ${where}`).toBe(false);
      expect(text.includes(backend.token), `token found in ${where}`).toBe(false);
    }
  });
});
