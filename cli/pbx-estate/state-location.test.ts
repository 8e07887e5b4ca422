import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CliError } from "./errors.ts";
import { resolveStateLocation } from "./state-location.ts";

const folders: string[] = [];
function projectDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "pbx-state-location-"));
  folders.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("where an estate's state lives", () => {
  it("defaults to a file backend in .pbx-estate/state whose saves are a write and a rename only, with a generated passphrase", () => {
    const dir = projectDir();
    const state = resolveStateLocation({ projectDir: dir, backendUrl: undefined, env: {} });
    expect(state.backendUrl).toBe(`file://${join(dir, ".pbx-estate", "state")}?metadata=skip`);
    expect(state.localStateDir).toBe(join(dir, ".pbx-estate", "state"));
    const passphrase = join(dir, ".pbx-estate", "passphrase");
    expect(state.secretsEnv).toEqual({ PULUMI_CONFIG_PASSPHRASE_FILE: passphrase });
    expect(statSync(passphrase).mode & 0o777).toBe(0o600);
  });

  it("opens a given file backend the same way unless its URL chooses metadata itself, and leaves other backends as given", () => {
    const dir = projectDir();
    const env = { PULUMI_CONFIG_PASSPHRASE: "p" };
    const url = (backendUrl: string) => resolveStateLocation({ projectDir: dir, backendUrl, env }).backendUrl;
    expect(url("file:///srv/state")).toBe("file:///srv/state?metadata=skip");
    expect(url("file:///srv/state?no_tmp_dir=false")).toBe("file:///srv/state?no_tmp_dir=false&metadata=skip");
    expect(url("file:///srv/state?metadata=")).toBe("file:///srv/state?metadata=");
    expect(url("s3://bucket/state?region=eu-west-2")).toBe("s3://bucket/state?region=eu-west-2");
    expect(url("postgres://pulumi@db/state")).toBe("postgres://pulumi@db/state");
    expect(
      resolveStateLocation({ projectDir: dir, backendUrl: "file:///srv/state", env }).localStateDir,
    ).toBeUndefined();
  });

  it("refuses a given backend without a passphrase, naming the settings, except Pulumi Cloud", () => {
    const dir = projectDir();
    expect(() => resolveStateLocation({ projectDir: dir, backendUrl: "file:///srv/state", env: {} })).toThrow(CliError);
    expect(() => resolveStateLocation({ projectDir: dir, backendUrl: "file:///srv/state", env: {} })).toThrow(
      /PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE/,
    );
    expect(
      resolveStateLocation({ projectDir: dir, backendUrl: "https://api.example.com", env: {} }).secretsEnv,
    ).toEqual({});
  });
});
