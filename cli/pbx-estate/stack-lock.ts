/**
 * Who holds an estate stack's lock on a Pulumi state backend kept by the CLI itself (a file:// folder, the
 * default included, or postgres://). Each run writes one lock object naming its user, host, pid and start
 * under `.pulumi/locks/<organization>/<project>/<stack>/`; a killed run leaves its object behind. Other
 * backends (Pulumi Cloud, object stores) keep their locks where this cannot read them: `null`.
 */
import { readdirSync, readFileSync } from "node:fs";
import { homedir, hostname } from "node:os";
import { join, resolve } from "node:path";
import pg from "pg";
import { z } from "zod";
import { ESTATE_PROJECT } from "../../estate/program/project.ts";

/** A lock object as the engine writes it. */
const LockContent = z.object({
  pid: z.number().int(),
  username: z.string(),
  hostname: z.string(),
  timestamp: z.string(),
});

/** How the engine's postgres backend stores an object's bytes. */
const StoredObject = z.object({ data: z.string() });

export interface LockHolder {
  pid: number;
  username: string;
  hostname: string;
  since: Date;
  /** Where the lock object is (a path or a key), for the message. */
  key: string;
}

function lockFolder(stackName: string): string {
  return `.pulumi/locks/organization/${ESTATE_PROJECT}/${stackName}`;
}

function holder(key: string, text: string): LockHolder {
  const content = LockContent.parse(JSON.parse(text));
  return {
    pid: content.pid,
    username: content.username,
    hostname: content.hostname,
    since: new Date(content.timestamp),
    key,
  };
}

export async function readLocks(backendUrl: string, stackName: string): Promise<LockHolder[] | null> {
  if (backendUrl.startsWith("file://")) {
    // As the engine reads a file URL: the rest is a path as written (relative to here, or ~ for home).
    const path = decodeURIComponent(backendUrl.slice("file://".length).replace(/\?.*$/, ""));
    const folder = join(path.startsWith("~") ? join(homedir(), path.slice(1)) : resolve(path), lockFolder(stackName));
    let names: string[];
    try {
      names = readdirSync(folder).filter((n) => n.endsWith(".json"));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    return names.map((n) => holder(join(folder, n), readFileSync(join(folder, n), "utf8")));
  }
  if (/^postgres(ql)?:\/\//.test(backendUrl)) {
    const url = new URL(backendUrl);
    // The engine's postgres backend keeps every object in one table, `pulumi_state` unless ?table= says.
    const table = url.searchParams.get("table") ?? "pulumi_state";
    url.searchParams.delete("table");
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(table)) return null;
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      const exists = await client.query<{ t: string | null }>("SELECT to_regclass($1)::text AS t", [table]);
      if (exists.rows[0]?.t == null) return [];
      // Like every object store, keys start with the URL's path (the database's name): the engine's prefix.
      const path = url.pathname.replace(/^\/+/, "");
      const prefix = path === "" || path.endsWith("/") ? path : `${path}/`;
      const pattern = `${prefix}${lockFolder(stackName)}/`.replace(/[\\%_]/g, (c) => `\\${c}`);
      const rows = await client.query<{ key: string; data: unknown }>(
        `SELECT key, data FROM ${table} WHERE key LIKE $1 ORDER BY key`,
        [`${pattern}%`],
      );
      // Each object is stored as {"data": <base64 of its bytes>}.
      return rows.rows.map((r) =>
        holder(r.key, Buffer.from(StoredObject.parse(r.data).data, "base64").toString("utf8")),
      );
    } finally {
      await client.end();
    }
  }
  return null;
}

/** True when the holder's process is still running on this host (a run elsewhere cannot be checked from here). */
export function isAliveHere(lock: LockHolder): boolean {
  if (lock.hostname !== hostname()) return false;
  try {
    process.kill(lock.pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  return !isZombie(lock.pid);
}

/**
 * A killed run's engine can linger as a zombie, dead but not yet reaped (a container's first process often
 * reaps late or never): it answers signal 0, yet holds nothing. Linux says so in /proc; elsewhere, assume not.
 */
function isZombie(pid: number): boolean {
  try {
    // The state follows the command name in parentheses, which may itself hold spaces or parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return false;
  }
}

export function describeHolder(lock: LockHolder, now = new Date()): string {
  const minutes = Math.max(0, Math.round((now.getTime() - lock.since.getTime()) / 60_000));
  const age =
    minutes < 1 ? "less than a minute ago" : minutes < 120 ? `${minutes} min ago` : `${Math.round(minutes / 60)} h ago`;
  return `${lock.username}@${lock.hostname}, pid ${lock.pid}, since ${lock.since.toISOString()} (${age})`;
}
