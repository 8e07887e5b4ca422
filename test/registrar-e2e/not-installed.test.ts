/** Without Kamailio, a backend asked for a registrar refuses to start and says which Debian packages to install. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startBackend } from "../../backend/server.ts";
import { RegistrarNotInstalledError } from "../../registrar/index.ts";

describe("a backend asked for a registrar on a machine without Kamailio", () => {
  it("refuses to start, naming the packages to install", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pbx-no-kamailio-"));
    try {
      const started = startBackend({
        store: { kind: "embedded", dataDir: null },
        logLevel: "silent",
        registrar: { dataDir: join(dir, "registrar"), kamailioBinary: join(dir, "no-such-kamailio") },
      });
      await expect(started).rejects.toBeInstanceOf(RegistrarNotInstalledError);
      await expect(started).rejects.toThrow(/apt-get install .*kamailio kamailio-sqlite-modules/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
