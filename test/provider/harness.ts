/**
 * The provider's end-to-end setting: a real backend (embedded store, test clock and fault hooks) on a
 * loopback port, an account with its token, and an engine workspace whose stack config points the
 * provider at them (`pbx:endpoint`, secret `pbx:token`). Everything the backend logs is kept, so tests can
 * prove no secret reached it.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import type { PulumiFn } from "@pulumi/pulumi/automation/index.js";
import { startBackend, type Backend } from "../../backend/server.ts";
import { TERMS_VERSION } from "../../backend/catalogue/service.ts";
import { EngineWorkspace, repoRoot } from "../engine/harness.ts";

export const TERMS = TERMS_VERSION;
export const NUMBERS = ["+442079460000", "+442079460001", "+442079460002"];

export interface TestBackend extends AsyncDisposable {
  /** The running backend (another object after `restart`). */
  readonly backend: Backend;
  readonly url: string;
  token: string;
  accountId: string;
  logs(): string;
  /** An authenticated JSON call to the backend (test assertions read through the real API too). */
  call<T = unknown>(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: T }>;
  setClock(iso: string): Promise<void>;
  faults(rules: unknown): Promise<void>;
}

/** The harness's own backend, which can also be restarted with other settings. */
export interface HarnessBackend extends TestBackend {
  /**
   * Stops the backend and starts it again on the same data, port, account and clock, with `changes` (new
   * service terms, say): what an operator's redeploy does. Only for a backend started `restartable`.
   */
  restart(changes: { termsVersion?: string }): Promise<void>;
}

export interface TestBackendOptions {
  timeZone?: string;
  clockStart?: string;
  /** The service terms the catalogue names (default: the backend's default, TERMS). */
  termsVersion?: string;
  /** Keep the store in a data folder (removed at dispose) so that `restart` finds it again. */
  restartable?: boolean;
}

export async function startTestBackend(options: TestBackendOptions = {}): Promise<HarnessBackend> {
  let logs = "";
  const logDestination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs += chunk.toString();
      done();
    },
  });
  const dataRoot = options.restartable ? mkdtempSync(join(tmpdir(), "pbx-backend-")) : null;
  const launch = (changes: { port?: number; clockStart: Date; termsVersion?: string | undefined }) =>
    startBackend({
      store: { kind: "embedded", dataDir: dataRoot === null ? null : join(dataRoot, "data") },
      testHooks: { clock: true, faults: true },
      clockStart: changes.clockStart,
      rateLimit: null,
      logDestination,
      logLevel: "info",
      ...(changes.port === undefined ? {} : { port: changes.port }),
      ...(changes.termsVersion === undefined ? {} : { termsVersion: changes.termsVersion }),
    });
  let termsVersion = options.termsVersion;
  let backend = await launch({ clockStart: new Date(options.clockStart ?? "2026-11-14T10:00:00Z"), termsVersion });
  const { accountId, token } = await backend.createAccount({
    name: "Acme Telecom Ltd",
    timeZone: options.timeZone ?? "Europe/London",
    numbers: NUMBERS,
  });
  const call = async <T>(method: string, path: string, body?: unknown, as = token) => {
    const res = await fetch(`${backend.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${as}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...(path.startsWith("/__test/") ? { "pbx-test-token": backend.testHooksToken ?? "" } : {}),
      },
      body: body === undefined ? null : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  };
  return {
    get backend() {
      return backend;
    },
    get url() {
      return backend.url;
    },
    token,
    accountId,
    logs: () => logs,
    call,
    setClock: async (iso) => {
      const r = await call("PUT", "/__test/clock", { now: iso });
      if (r.status !== 200) throw new Error(`clock: ${r.status}`);
    },
    faults: async (rules) => {
      const r = await call("PUT", "/__test/faults", rules);
      if (r.status !== 200) throw new Error(`faults: ${r.status} ${JSON.stringify(r.body)}`);
    },
    restart: async (changes) => {
      if (dataRoot === null) throw new Error("restart needs a backend started with restartable: true");
      const { port } = backend;
      const clockStart = backend.clock.now();
      await backend.stop();
      termsVersion = changes.termsVersion ?? termsVersion;
      backend = await launch({ port, clockStart, termsVersion });
    },
    [Symbol.asyncDispose]: async () => {
      await backend.stop();
      if (dataRoot !== null) rmSync(dataRoot, { recursive: true, force: true });
    },
  };
}

/**
 * An engine workspace pointed at `backend`: through stack config (`pbx:endpoint`, secret `pbx:token`) by
 * default, or through PBX_ENDPOINT / PBX_TOKEN in the plugin's environment.
 */
export function estateEngine(
  backend: TestBackend,
  program: PulumiFn,
  via: "config" | "env" = "config",
  pathFirst: string[] = [],
): Promise<EngineWorkspace> {
  return EngineWorkspace.create({
    program,
    projectName: "acme-pbx",
    pathFirst,
    ...(via === "config"
      ? { config: { "pbx:endpoint": { value: backend.url }, "pbx:token": { value: backend.token, secret: true } } }
      : { env: { PBX_ENDPOINT: backend.url, PBX_TOKEN: backend.token } }),
  });
}

export interface AuditEntry {
  seq: number;
  action: string;
  objectKind: string;
  objectId: string | null;
  detail: Record<string, unknown>;
}

export async function auditLog(backend: TestBackend): Promise<AuditEntry[]> {
  const r = await backend.call<AuditEntry[]>("GET", "/v1/audit?limit=1000");
  if (r.status !== 200) throw new Error(`audit: ${r.status}`);
  return r.body;
}

/**
 * A folder holding a `pulumi-resource-pulumi-nodejs` that runs the real dynamic-provider plugin and appends
 * its stderr to `captureFile`: put it first on PATH to read exactly what the plugin printed.
 */
export function pluginStderrCapture(folder: string, captureFile: string): string {
  const real = join(repoRoot, "node_modules", "@pulumi", "pulumi", "pulumi-resource-pulumi-nodejs");
  const wrapper = join(folder, "pulumi-resource-pulumi-nodejs");
  writeFileSync(
    wrapper,
    `#!/bin/sh\necho "plugin started" >>"${captureFile}"\nexec "${real}" "$@" 2>>"${captureFile}"\n`,
  );
  chmodSync(wrapper, 0o755);
  return folder;
}
