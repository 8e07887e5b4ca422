// Where recordings live (the contract between the registrar's relay and this worker): the relay records into
// `<registrar dataDir>/recordings/relay` (its `pcaps/`, `metadata/`, `tmp/`), and finished WAV files wait for
// their mail in `<registrar dataDir>/recordings/mail`. Both private: folders 0700, files 0600.
import { mkdirSync } from "node:fs";
import { readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { makePrivate } from "../../runtime/private-files.ts";

export interface RecordingFolders {
  /** The relay's recording folder (`startRelay({ recordingDir })`). */
  relay: string;
  /** Finished WAV files, each named by a mail row until it is delivered (or kept for the retention period). */
  mail: string;
}

export function recordingFolders(registrarDataDir: string): RecordingFolders {
  const root = resolve(registrarDataDir, "recordings");
  return { relay: join(root, "relay"), mail: join(root, "mail") };
}

/** Creates the WAV folder 0700 (and makes it so if it exists with wider modes). */
export function prepareMailFolder(folders: RecordingFolders): void {
  mkdirSync(folders.mail, { recursive: true, mode: 0o700 });
  makePrivate(folders.mail);
}

const METADATA_FILE = /^rtpengine-meta-(.+)\.txt$/;

/** A finished call the relay left: its name (`<Call-ID, URL-escaped>-<16 hex digits>`) and metadata file. */
export interface FinishedCall {
  name: string;
  metadataPath: string;
}

/** Calls whose recording is complete: their metadata file is in `metadata/` (registrar/README.md, "Media relay"). */
export async function finishedCalls(folders: RecordingFolders): Promise<FinishedCall[]> {
  let names: string[];
  try {
    names = await readdir(join(folders.relay, "metadata"));
  } catch (e) {
    if ((e as { code?: unknown }).code === "ENOENT") return [];
    throw e;
  }
  return names.sort().flatMap((file) => {
    const name = METADATA_FILE.exec(file)?.[1];
    return name === undefined ? [] : [{ name, metadataPath: join(folders.relay, "metadata", file) }];
  });
}

const UNFINISHED_FILE = /^rtpengine-meta-(.+)\.tmp$/;

/** A call a dead relay left unfinished: its name, its (empty) metadata file in `tmp/` and its pcap. */
export interface LostCall {
  name: string;
  tmpPath: string;
  pcapPath: string;
}

/**
 * Calls whose relay died before they ended: their metadata file is still in `tmp/` and was made before `before`
 * (the moment the relay died, or this relay process's start), so no running relay will ever finish them.
 * rtpengine writes that file's content only when the call ends: it is empty, and the call's metadata line comes
 * from the registrar (`pbx_recording_call`).
 */
export async function lostCalls(folders: RecordingFolders, before: Date): Promise<LostCall[]> {
  let names: string[];
  try {
    names = await readdir(join(folders.relay, "tmp"));
  } catch (e) {
    if ((e as { code?: unknown }).code === "ENOENT") return [];
    throw e;
  }
  const lost: LostCall[] = [];
  for (const file of names.sort()) {
    const name = UNFINISHED_FILE.exec(file)?.[1];
    if (name === undefined) continue;
    const tmpPath = join(folders.relay, "tmp", file);
    try {
      if ((await stat(tmpPath)).mtimeMs >= before.getTime()) continue; // the running relay's call
    } catch {
      continue; // finished (moved to metadata/) meanwhile
    }
    lost.push({ name, tmpPath, pcapPath: join(folders.relay, "pcaps", `${name}.pcap`) });
  }
  return lost;
}

/** The Call-ID in a relay's call name (`<Call-ID, URL-escaped>-<16 hex digits>`); null when it is not one. */
export function callIdOf(name: string): string | null {
  const escaped = /^(.+)-[0-9a-f]{16}$/.exec(name)?.[1];
  if (escaped === undefined) return null;
  try {
    return decodeURIComponent(escaped);
  } catch {
    return null;
  }
}

/**
 * A pcap the metadata file names, looked for in the relay's own `pcaps/` folder only: the worker reads and removes
 * nothing outside the recording folder, whatever a metadata file says.
 */
export function pcapPath(folders: RecordingFolders, named: string): string {
  return join(folders.relay, "pcaps", basename(named));
}

/** Writes a WAV file 0600 whole or not at all (a temporary name, then a rename). */
export async function writePrivateFile(path: string, bytes: Buffer): Promise<void> {
  const temporary = `${path}.tmp`;
  await writeFile(temporary, bytes, { mode: 0o600 });
  await rename(temporary, path);
}

/** Removes a call's relay files: the pcaps first, the metadata file last (it is what marks the call as pending). */
export async function removeRelayFiles(pcaps: readonly string[], call: FinishedCall): Promise<void> {
  for (const pcap of pcaps) await rm(pcap, { force: true });
  await rm(call.metadataPath, { force: true });
}

/** Sets a call the worker cannot read aside (kept for an operator; sweeps no longer see it). */
export async function setAside(call: FinishedCall): Promise<void> {
  await rename(call.metadataPath, `${call.metadataPath}.failed`);
}
