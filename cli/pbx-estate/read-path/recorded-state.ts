/**
 * What the last apply recorded: the stack's resources from its checkpoint. A file backend's checkpoint is
 * read directly (`<root>/.pulumi/stacks/<project>/<stack>.json`, or `.json.gz` when the backend gzips, or
 * `stacks/<stack>.json` in a backend laid out before projects); any other backend through the engine's
 * export, which runs no preview. Secret values stay encrypted and read as the engine's events show them.
 *
 * What the read path does not mirror is named, and the caller falls back to the engine (see ./plan-steps.ts):
 * resources pending deletion from an interrupted replacement, pending operations of a killed run, and
 * resources with initialisation errors.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { parseEstateName, type EstateResourceKind } from "../../../sdk/estate-resources.ts";

/** The engine's mark of a secret value in state and in its events, where the ciphertext reads `[secret]`. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270";
export const SECRET_AS_SHOWN = { [SECRET_SIG]: SECRET_SIG_VALUE, ciphertext: "[secret]" };

export function isSecret(value: unknown): boolean {
  return typeof value === "object" && value !== null && SECRET_SIG in value;
}

export interface RecordedResource {
  urn: string;
  name: string;
  kind: EstateResourceKind;
  key: string;
  id: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
}

export interface RecordedState {
  resources: RecordedResource[];
  /** Why the engine must plan this stack instead; undefined when the read path mirrors it. */
  engineNeeded?: string;
}

/** A checkpoint's deployment as the engine writes and exports it (the fields read here). */
export interface Deployment {
  resources?: {
    urn: string;
    type: string;
    id?: string;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
    delete?: boolean;
    pendingReplacement?: boolean;
    initErrors?: string[];
  }[];
  pending_operations?: { resource: { urn: string; type: string } }[];
}

const PBX_TYPE_PREFIX = "pulumi-nodejs:dynamic/pbx:";

/** `value` with every secret in it shown as the engine's events show one. */
export function secretsAsShown<T>(value: T): T {
  if (isSecret(value)) return { ...SECRET_AS_SHOWN } as T;
  if (Array.isArray(value)) return value.map(secretsAsShown) as T;
  if (typeof value === "object" && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, secretsAsShown(v)])) as T;
  return value;
}

/** The estate's resources in `deployment`, or the reason only the engine can plan from it. */
export function recordedResources(deployment: Deployment): RecordedState {
  const ours = (type: string) => type.startsWith(PBX_TYPE_PREFIX);
  const pending = (deployment.pending_operations ?? []).filter((p) => ours(p.resource.type));
  if (pending.length > 0)
    return { resources: [], engineNeeded: `${pending.length} operations of an interrupted run are pending` };
  const resources: RecordedResource[] = [];
  for (const r of deployment.resources ?? []) {
    if (!ours(r.type)) continue;
    const name = r.urn.split("::").pop() ?? "";
    if (r.delete || r.pendingReplacement)
      return { resources: [], engineNeeded: `${name} awaits deletion from an interrupted replacement` };
    if (r.initErrors && r.initErrors.length > 0)
      return { resources: [], engineNeeded: `${name} was left half-made by a failed run` };
    const parsed = parseEstateName(name);
    if (!parsed || r.id === undefined) continue;
    resources.push({
      urn: r.urn,
      name,
      ...parsed,
      id: r.id,
      inputs: secretsAsShown(r.inputs ?? {}),
      outputs: secretsAsShown(r.outputs ?? {}),
    });
  }
  return { resources };
}

/**
 * The folder of a `file://` backend URL as the engine reads it (its query, such as `?metadata=skip`, left
 * out; `~` is the home folder); undefined for other backends.
 */
export function fileBackendFolder(backendUrl: string): string | undefined {
  if (!backendUrl.startsWith("file://")) return undefined;
  const path = decodeURIComponent(backendUrl.slice("file://".length).split("?")[0] ?? "");
  return path === "~" || path.startsWith("~/") ? join(homedir(), path.slice(1)) : path;
}

/** The newest of the checkpoint files a file backend may hold for `project`/`stack`; undefined: none yet. */
export function checkpointFile(folder: string, project: string, stack: string): string | undefined {
  const stacks = join(folder, ".pulumi", "stacks");
  const base = existsSync(join(folder, ".pulumi", "meta.yaml")) ? join(stacks, project, stack) : join(stacks, stack);
  const candidates = [`${base}.json`, `${base}.json.gz`].filter((file) => existsSync(file));
  return candidates.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

/** The deployment a file backend's checkpoint holds (an empty one when nothing was applied yet). */
export function readCheckpoint(file: string): Deployment {
  const raw = readFileSync(file);
  const text = (file.endsWith(".gz") ? gunzipSync(raw) : raw).toString("utf8");
  const checkpoint = JSON.parse(text) as { checkpoint?: { latest?: Deployment } };
  return checkpoint.checkpoint?.latest ?? {};
}

/** The accounts the estate's recorded objects belong to (none before the first apply). */
export function recordedAccounts(deployment: Deployment): string[] {
  const accounts = (deployment.resources ?? [])
    .filter((r) => r.type.startsWith(PBX_TYPE_PREFIX) && typeof r.outputs?.accountId === "string")
    .map((r) => r.outputs!.accountId as string);
  return [...new Set(accounts)];
}

/**
 * What the last apply recorded for `project`/`stack`: read from the checkpoint when the backend is a folder,
 * else from `exportStack` (the engine's export of the stack). Undefined when a folder holds no such stack.
 */
export async function recordedDeployment(
  backendUrl: string,
  project: string,
  stack: string,
  exportStack: () => Promise<{ deployment: unknown }>,
): Promise<Deployment | undefined> {
  const folder = fileBackendFolder(backendUrl);
  if (folder === undefined) return ((await exportStack()).deployment as Deployment | undefined) ?? {};
  const file = checkpointFile(folder, project, stack);
  return file === undefined ? undefined : readCheckpoint(file);
}
