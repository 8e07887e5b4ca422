// With a retention period, delivered recordings are kept (their mails are enqueued with `keep`) and removed here once
// older than it. A file a mail still waits to carry is left alone whatever its age: its delivery comes first.
import { readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Db } from "../store/schema.ts";

const DAY_MS = 86_400_000;

/** Removes WAV files in `folder` last written more than `days` days before `now`; answers how many. */
export async function removeExpiredRecordings(db: Db, folder: string, days: number, now: Date): Promise<number> {
  const cutoff = now.getTime() - days * DAY_MS;
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (e) {
    if ((e as { code?: unknown }).code === "ENOENT") return 0;
    throw e;
  }
  const expired: string[] = [];
  for (const name of names.filter((n) => n.endsWith(".wav"))) {
    const path = join(folder, name);
    try {
      if ((await stat(path)).mtimeMs < cutoff) expired.push(path);
    } catch {
      // removed meanwhile
    }
  }
  if (expired.length === 0) return 0;
  const waiting = await db
    .selectFrom("mail_outbox")
    .select("attachment_path")
    .where("delivered_at", "is", null)
    .where("attachment_path", "in", expired)
    .execute();
  const keep = new Set(waiting.map((r) => r.attachment_path));
  let removed = 0;
  for (const path of expired.filter((p) => !keep.has(p))) {
    await rm(path, { force: true });
    removed += 1;
  }
  return removed;
}
