// The recordings worker: turns what the relay and the registrar leave into mails in the mail outbox.
//   - Finished recorded calls (a metadata file in the relay's `metadata/` folder): watched, and swept on start and
//     every few seconds (a call that ended while no process ran, a watch event missed) → `call-mail.ts`.
//   - "Not recorded" events (the registrar's `pbx_recording_event` rows) → `not-recorded.ts`.
//   - Calls a dying relay lost (unfinished in `tmp/`): looked for at start and whenever the relay restarts →
//     `lost-calls.ts`.
//   - With a retention period, WAV files older than it → `retention.ts`.
// One pass at a time, one call at a time (a mix is CPU and memory: recording/README.md gives its cost). Logs name
// mail ids, counts, reasons and (for a call set aside) its file, never an address or a subject.
import { watch, type FSWatcher } from "node:fs";
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import type { Clock } from "../clock.ts";
import { hasMailFor } from "../mail/enqueue.ts";
import type { Db } from "../store/schema.ts";
import { callKey, DEFAULT_MAX_ATTACHMENT_BYTES, mailFinishedCall } from "./call-mail.ts";
import {
  callIdOf,
  finishedCalls,
  lostCalls,
  prepareMailFolder,
  setAside,
  type FinishedCall,
  type RecordingFolders,
} from "./folders.ts";
import { mailLostCall, type RecordingCallSource } from "./lost-calls.ts";
import { enqueueNotRecorded, mailNotRecorded, type RecordingEventSource } from "./not-recorded.ts";
import { removeExpiredRecordings } from "./retention.ts";

export interface RecordingWorkerDeps {
  db: Db;
  log: Logger;
  clock: Clock;
  /** Where the relay records and where WAV files go; null when no relay runs (events only). */
  folders: RecordingFolders | null;
  /** The registrar's "not recorded" events; null when its store has none. */
  events: RecordingEventSource | null;
  /** The registrar's recorded calls in progress (their metadata, for calls a dying relay loses); null: none. */
  calls?: RecordingCallSource | null;
  /**
   * When this process's relay started: recordings left unfinished in `tmp/` before it belong to a relay that died
   * (or was stopped) mid-call, and are mailed as lost at start. Default: the worker's start.
   */
  relayStartedAt?: Date;
  /** Mails were enqueued and committed: the mail outbox may deliver them now. */
  onEnqueued(): void;
  /** The account a mail is filed under when the caller's user is gone (the registrar's). */
  fallbackAccountId?: () => string | null;
  /** Days a delivered recording is kept; 0 (default) removes it after delivery. */
  retentionDays?: number;
  /** The largest attachment one mail carries (default 20 MB); a longer recording is split into parts. */
  maxAttachmentBytes?: number;
  /** Sweep period. Default 3 s. */
  sweepMs?: number;
}

const EVENTS_PER_PASS = 100;
const RETENTION_EVERY_MS = 60_000;

export class RecordingWorker {
  private readonly deps: RecordingWorkerDeps;
  private running: Promise<void> | null = null;
  private again = false;
  private sweeper: NodeJS.Timeout | null = null;
  private watcher: FSWatcher | null = null;
  private stopped = false;
  private lastRetention = 0;
  /** Look for calls lost by a relay that died before this instant (set at start and at each relay restart). */
  private lostBefore: Date | null = null;
  /** Calls whose files could not be set aside: not tried again by this process. */
  private readonly skipped = new Set<string>();

  constructor(deps: RecordingWorkerDeps) {
    this.deps = deps;
  }

  /** Sweeps now, then on every new metadata file and every `sweepMs`. */
  async start(): Promise<void> {
    const { folders } = this.deps;
    if (folders !== null) {
      prepareMailFolder(folders);
      await this.removeUnfinishedWavs(folders);
      try {
        this.watcher = watch(join(folders.relay, "metadata"), () => this.kick());
        this.watcher.on("error", () => undefined); // the sweep still finds the calls
      } catch {
        // no metadata folder yet: the sweep finds calls once the relay made it
      }
    }
    this.lookForLostCalls(this.deps.relayStartedAt ?? new Date());
    this.kick();
    this.sweeper = setInterval(() => this.kick(), this.deps.sweepMs ?? 3_000);
    this.sweeper.unref();
  }

  /** The relay died and is being started again: the calls it held are lost; their users are told. */
  relayRestarted(at = new Date()): void {
    this.lookForLostCalls(at);
    this.kick();
  }

  private lookForLostCalls(before: Date): void {
    if (this.lostBefore === null || this.lostBefore < before) this.lostBefore = before;
  }

  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Resolves when no pass is in flight. */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweeper) clearInterval(this.sweeper);
    this.watcher?.close();
    await this.settled();
  }

  private async pass(): Promise<void> {
    const { folders, events, log } = this.deps;
    try {
      // Finished calls first: a call that ended just before the relay died is whole, not lost.
      if (folders !== null)
        for (const call of await finishedCalls(folders)) {
          if (this.stopped) return;
          if (!this.skipped.has(call.name)) await this.mailCall(folders, call);
        }
      if (folders !== null && this.lostBefore !== null && !this.stopped) await this.mailLostCalls(folders);
      if (events !== null && !this.stopped) await this.mailEvents(events);
      const retentionDays = this.deps.retentionDays ?? 0;
      if (folders !== null && retentionDays > 0 && Date.now() - this.lastRetention >= RETENTION_EVERY_MS) {
        this.lastRetention = Date.now();
        const removed = await removeExpiredRecordings(this.deps.db, folders.mail, retentionDays, this.deps.clock.now());
        if (removed > 0) log.info({ event: "recording.expired", removed, retentionDays }, "old recordings removed");
      }
    } catch (e) {
      log.warn({ event: "recording.sweep-failed", err: errorName(e) }, "recordings sweep failed; will retry");
    }
  }

  private options(folders: RecordingFolders) {
    return {
      db: this.deps.db,
      clock: this.deps.clock,
      folders,
      maxAttachmentBytes: this.deps.maxAttachmentBytes ?? DEFAULT_MAX_ATTACHMENT_BYTES,
      keepFiles: (this.deps.retentionDays ?? 0) > 0,
      fallbackAccountId: this.deps.fallbackAccountId ?? (() => null),
    };
  }

  private async mailLostCalls(folders: RecordingFolders): Promise<void> {
    const { log } = this.deps;
    const before = this.lostBefore;
    if (before === null) return;
    const calls = this.deps.calls ?? null;
    for (const call of await lostCalls(folders, before)) {
      if (this.stopped) return;
      const key = callKey(call);
      if (calls === null) {
        log.warn({ event: "recording.lost", call: key, why: "no registrar store" }, "a recorded call was lost");
        continue;
      }
      const outcome = await mailLostCall(call, { ...this.options(folders), calls });
      if (outcome.kind === "enqueued") {
        log.info(
          { event: "recording.lost", call: key, mailId: outcome.mailId },
          "the relay lost a recorded call; its user is told",
        );
        this.deps.onEnqueued();
      } else if (outcome.kind === "unknown")
        log.warn(
          { event: "recording.lost", call: key, why: outcome.why.slice(0, 200) },
          "the relay lost a recorded call; nobody can be told",
        );
    }
    // Only once every lost call was dealt with: a failure is retried at the next sweep.
    if (this.lostBefore === before) this.lostBefore = null;
  }

  private async mailCall(folders: RecordingFolders, call: FinishedCall): Promise<void> {
    await this.mailFinishedCall(folders, call);
    // The call is over: the registrar no longer needs its metadata (kept for a relay dying mid-call).
    const callId = callIdOf(call.name);
    if (callId !== null) await this.deps.calls?.deleteRecordingCalls([callId]);
  }

  private async mailFinishedCall(folders: RecordingFolders, call: FinishedCall): Promise<void> {
    const { log } = this.deps;
    const key = callKey(call);
    const started = performance.now();
    const outcome = await mailFinishedCall(call, this.options(folders));
    if (outcome.kind === "enqueued") {
      log.info(
        {
          event: "recording.mail-enqueued",
          call: key,
          mailIds: outcome.mailIds,
          ms: Math.round(performance.now() - started),
        },
        "a recorded call's mail enqueued",
      );
      this.deps.onEnqueued();
      return;
    }
    if (outcome.kind === "already-enqueued") {
      log.info({ event: "recording.already-enqueued", call: key }, "a recorded call's mail was enqueued before");
      return;
    }
    // Unreadable: the user hears that the call was not recorded (when the address is known), and the files stay
    // for an operator, set aside so that sweeps leave them.
    if (outcome.call !== null) {
      const sourceKey = `recording:${key}:unreadable`;
      if (!(await hasMailFor(this.deps.db, sourceKey))) {
        const sent = await enqueueNotRecorded(
          this.options(folders),
          outcome.call,
          "recording-unreadable",
          this.deps.clock.now(),
          sourceKey,
          {},
        );
        if (sent.kind === "enqueued") this.deps.onEnqueued();
      }
    }
    log.warn(
      { event: "recording.unreadable", call: key, file: `${call.metadataPath}.failed`, why: outcome.why.slice(0, 200) },
      "a recorded call cannot be read; its files are set aside",
    );
    try {
      await setAside(call);
    } catch (e) {
      this.skipped.add(call.name);
      log.warn({ event: "recording.set-aside-failed", call: key, err: errorName(e) }, "could not set the call aside");
    }
  }

  private async mailEvents(source: RecordingEventSource): Promise<void> {
    const { db, clock, log } = this.deps;
    const events = await source.recordingEvents(EVENTS_PER_PASS);
    if (events.length === 0) return;
    const done: number[] = [];
    let enqueued = 0;
    for (const event of events) {
      const outcome = await mailNotRecorded(event, {
        db,
        clock,
        fallbackAccountId: this.deps.fallbackAccountId ?? (() => null),
      });
      if (outcome.kind === "enqueued") {
        enqueued += 1;
        log.info(
          { event: "recording.not-recorded", eventId: event.id, mailId: outcome.mailId, reason: event.reason },
          "a call was not recorded; its user is told",
        );
      } else if (outcome.kind === "unreadable")
        log.warn(
          { event: "recording.event-unreadable", eventId: event.id, why: outcome.why.slice(0, 200) },
          "a recording event cannot be mailed; dropped",
        );
      done.push(event.id);
    }
    if (enqueued > 0) this.deps.onEnqueued();
    await source.deleteRecordingEvents(done);
  }

  /** WAV files a crash left half-written (their final name is only given once whole). */
  private async removeUnfinishedWavs(folders: RecordingFolders): Promise<void> {
    for (const name of await readdir(folders.mail))
      if (name.endsWith(".wav.tmp")) await rm(join(folders.mail, name), { force: true });
  }
}

function errorName(e: unknown): string {
  if (!(e instanceof Error)) return typeof e;
  const code = (e as { code?: unknown }).code;
  return typeof code === "string" ? `${e.name} ${code}` : `${e.name}: ${e.message.slice(0, 200)}`;
}
