/**
 * Files that hold secrets or their equivalents (the embedded store holds HA1 digests, state holds encrypted
 * SIP passwords, the registrar's database and sockets) are their owner's only: a folder 0700, a file 0600,
 * whatever the caller's umask.
 */
import { chmodSync, lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";

/**
 * From now on, everything this process and the processes it starts (the Pulumi CLI, PGlite, Kamailio)
 * create is private; `roots` that already exist, and everything in them, are made so too.
 */
export function keepPrivate(roots: readonly string[]): void {
  process.umask(0o077);
  for (const root of roots) makePrivate(root);
}

/** `path` and everything in it made its owner's only (symbolic links are left alone). */
export function makePrivate(path: string): void {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return; // not made yet, or gone meanwhile
  }
  if (stat.isSymbolicLink()) return;
  try {
    chmodSync(path, stat.mode & 0o700);
  } catch {
    return; // gone meanwhile
  }
  if (stat.isDirectory()) for (const entry of readdirSync(path)) makePrivate(join(path, entry));
}
