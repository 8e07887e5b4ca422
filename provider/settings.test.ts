import { describe, expect, it } from "vitest";
import { resolveSettings, settingsEnvironment } from "./settings.ts";

const env = { PBX_ENDPOINT: "http://127.0.0.1:8080", PBX_TOKEN: "pbx_t" };
const config = (values: Record<string, string>) => ({ get: (key: string) => values[key] });

describe("the backend's deadlines", () => {
  it("default to 20 s a read and 60 s a write", () => {
    expect(resolveSettings(undefined, env)).toMatchObject({ readTimeoutMs: 20_000, writeTimeoutMs: 60_000 });
  });
  it("come from stack config before the environment", () => {
    const settings = resolveSettings(config({ "pbx:readTimeout": "5" }), {
      ...env,
      PBX_READ_TIMEOUT: "9",
      PBX_WRITE_TIMEOUT: "1.5",
    });
    expect(settings).toMatchObject({ readTimeoutMs: 5_000, writeTimeoutMs: 1_500 });
  });
  it("refuse a value that is not a positive number of seconds, naming where it was set", () => {
    expect(() => resolveSettings(undefined, { ...env, PBX_READ_TIMEOUT: "soon" })).toThrow(
      'PBX_READ_TIMEOUT must be a number of seconds, got "soon"',
    );
    expect(() => resolveSettings(config({ "pbx:writeTimeout": "0" }), env)).toThrow(
      'stack config pbx:writeTimeout must be more than 0 seconds, got "0"',
    );
    expect(() => resolveSettings(undefined, { ...env, PBX_WRITE_TIMEOUT: "86400" })).toThrow(
      "PBX_WRITE_TIMEOUT must be at most 3600 seconds",
    );
  });
});

describe("the service terms a run's cancellations accept", () => {
  it("are unset unless stack config or the environment names them", () => {
    expect(resolveSettings(undefined, env).acceptTerms).toBeUndefined();
    expect(resolveSettings(undefined, { ...env, PBX_ACCEPT_TERMS: "" }).acceptTerms).toBeUndefined();
  });
  it("come from stack config before the environment", () => {
    expect(resolveSettings(undefined, { ...env, PBX_ACCEPT_TERMS: "2025-07" }).acceptTerms).toBe("2025-07");
    expect(
      resolveSettings(config({ "pbx:acceptTerms": "2025-09" }), { ...env, PBX_ACCEPT_TERMS: "2025-07" }).acceptTerms,
    ).toBe("2025-09");
  });
  it("refuse text the terms field refuses, naming where it was set", () => {
    expect(() => resolveSettings(config({ "pbx:acceptTerms": "2025-07\u0000" }), env)).toThrow(
      /^stack config pbx:acceptTerms holds the control character U\+0000/,
    );
    expect(() => resolveSettings(undefined, { ...env, PBX_ACCEPT_TERMS: "x".repeat(51) })).toThrow(
      /^PBX_ACCEPT_TERMS /,
    );
  });
});

describe("the environment a runner hands the plugin", () => {
  it("gives the plugin exactly the settings the runner resolved", () => {
    const settings = {
      endpoint: "http://127.0.0.1:9",
      token: "pbx_t2",
      readTimeoutMs: 1_500,
      writeTimeoutMs: 90_000,
      acceptTerms: "2025-07",
    };
    expect(settingsEnvironment(settings)).toEqual({
      PBX_ENDPOINT: "http://127.0.0.1:9",
      PBX_TOKEN: "pbx_t2",
      PBX_READ_TIMEOUT: "1.5",
      PBX_WRITE_TIMEOUT: "90",
      PBX_ACCEPT_TERMS: "2025-07",
    });
    expect(resolveSettings(undefined, settingsEnvironment(settings))).toEqual(settings);
  });
  it("leaves out what the runner does not set", () => {
    expect(settingsEnvironment({ endpoint: "http://127.0.0.1:9", token: "pbx_t2" })).toEqual({
      PBX_ENDPOINT: "http://127.0.0.1:9",
      PBX_TOKEN: "pbx_t2",
    });
  });
});
