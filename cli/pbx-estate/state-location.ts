/**
 * Where an estate's Pulumi state lives and how its secrets are encrypted.
 *
 * By default a local file backend in `.pbx-estate/state` of the project folder (the working directory),
 * with a generated passphrase in `.pbx-estate/passphrase` (mode 0600). `--backend-url` or
 * `PULUMI_BACKEND_URL` selects any Pulumi backend (Pulumi Cloud, s3://, postgres://, another file://);
 * those need `PULUMI_CONFIG_PASSPHRASE` or `PULUMI_CONFIG_PASSPHRASE_FILE`, except Pulumi Cloud, which
 * encrypts with its own key when no passphrase is given.
 *
 * A file backend is opened with `metadata=skip` unless its URL sets `metadata` itself. Without it, each
 * save of a stack also rewrites a `<stack>.json.attrs` sidecar in place (truncate, then write); a run
 * killed between the two leaves it empty, and every later command on the stack, `pulumi cancel` included,
 * fails with "failed to load checkpoint: EOF". With it, a save is only a temporary file and a rename.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { makePrivate } from "../../runtime/private-files.ts";
import { join, resolve } from "node:path";
import { CliError } from "./errors.ts";

export interface StateLocation {
  backendUrl: string;
  /** The folder of the default local state; undefined when a backend was given. */
  localStateDir?: string;
  /** PULUMI_CONFIG_PASSPHRASE(_FILE) for the engine, when the state is encrypted with a passphrase. */
  secretsEnv: Record<string, string>;
  /** The engine's PULUMI_HOME (credentials of the state backend, plugin cache). */
  pulumiHome: string;
}

export interface StateOptions {
  projectDir: string;
  backendUrl: string | undefined;
  env: NodeJS.ProcessEnv;
}

export function resolveStateLocation(options: StateOptions): StateLocation {
  const home = join(resolve(options.projectDir), ".pbx-estate");
  const pulumiHome = options.env.PULUMI_HOME ?? join(home, "pulumi-home");
  mkdirSync(pulumiHome, { recursive: true, mode: 0o700 });
  const given = options.backendUrl ?? options.env.PULUMI_BACKEND_URL;
  const passphrase = passphraseEnv(options.env);

  if (given === undefined) {
    const state = join(home, "state");
    mkdirSync(state, { recursive: true, mode: 0o700 });
    makePrivate(home); // state an earlier version left readable to others included
    const local = { backendUrl: fileBackendUrl(state), localStateDir: state, pulumiHome };
    if (passphrase) return { ...local, secretsEnv: passphrase };
    const file = join(home, "passphrase");
    if (!existsSync(file)) writeFileSync(file, randomBytes(24).toString("base64url"), { mode: 0o600 });
    return { ...local, secretsEnv: { PULUMI_CONFIG_PASSPHRASE_FILE: file } };
  }
  if (passphrase) return { backendUrl: withAtomicFileWrites(given), secretsEnv: passphrase, pulumiHome };
  if (/^https:\/\//.test(given)) return { backendUrl: given, secretsEnv: {}, pulumiHome };
  throw new CliError(
    `the state backend ${given} needs a passphrase for the estate's secrets: set PULUMI_CONFIG_PASSPHRASE or ` +
      "PULUMI_CONFIG_PASSPHRASE_FILE (a passphrase is generated only for the default local state)",
  );
}

/** The URL of a Pulumi file backend in `folder` whose saves survive a kill (see the header). */
export function fileBackendUrl(folder: string): string {
  return withAtomicFileWrites(`file://${folder}`);
}

/** A given file:// URL with `metadata=skip` added, unless it sets `metadata` itself; other URLs as given. */
function withAtomicFileWrites(url: string): string {
  if (!url.startsWith("file://") || /[?&]metadata=/.test(url)) return url;
  return `${url}${url.includes("?") ? "&" : "?"}metadata=skip`;
}

function passphraseEnv(env: NodeJS.ProcessEnv): Record<string, string> | undefined {
  if (env.PULUMI_CONFIG_PASSPHRASE_FILE)
    return { PULUMI_CONFIG_PASSPHRASE_FILE: resolve(env.PULUMI_CONFIG_PASSPHRASE_FILE) };
  if (env.PULUMI_CONFIG_PASSPHRASE !== undefined) return { PULUMI_CONFIG_PASSPHRASE: env.PULUMI_CONFIG_PASSPHRASE };
  return undefined;
}

/** What a command that needs an applied estate says when `state` holds no stack `stackName`. */
export function noStateMessage(stackName: string, state: StateLocation): string {
  return (
    `no state for estate ${stackName} in ${state.backendUrl}: nothing was applied there yet ` +
    "(check --backend-url / PULUMI_BACKEND_URL, or run `pbx-estate apply` first)"
  );
}
