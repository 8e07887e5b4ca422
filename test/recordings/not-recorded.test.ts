/**
 * A call that should have been recorded and was not (the registrar's event: relay down or refusing the offer)
 * becomes exactly one "call not recorded" mail to the call's address, naming the reason in words, the caller, the
 * callee and when, from the row in the registrar's own event table (SQLite, written as Kamailio writes it); read again
 * after a failed delete it is not mailed twice (that fault on a fake table, test/recordings/fake-recording-events.ts).
 * The mail outbox and the SMTP server are real.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRegistrarStore, REGISTRAR_REALM } from "../../registrar/index.ts";
import { pino } from "pino";
import { startBackend, type Backend } from "../../backend/server.ts";
import { RecordingWorker } from "../../backend/recordings/worker.ts";
import { recordingEventSource, type RecordingEventSource } from "../../backend/recordings/not-recorded.ts";
import { formatCallMetadata } from "../../recording/call-metadata.ts";
import { readMail, startSmtpSink, type SmtpSink } from "../backend/mail-harness.ts";
import { eventually } from "../registrar/sipp.ts";
import { FakeRecordingEvents } from "./fake-recording-events.ts";
import { createJohnAndMary, JOHN_RECORDING } from "./harness.ts";

let sink: SmtpSink;
let backend: Backend;
let accountId: string;
let john: string;
beforeAll(async () => {
  sink = await startSmtpSink();
  backend = await startBackend({
    store: { kind: "embedded", dataDir: null },
    rateLimit: null,
    logLevel: "silent",
    mail: { smtp: sink.settings(), retry: { baseMs: 100, capMs: 400 }, sweepMs: 200 },
  });
  const account = await backend.createAccount({
    name: "Unrecorded Ltd",
    timeZone: "Asia/Tokyo",
    numbers: ["+442079460000"],
  });
  accountId = account.accountId;
  john = (await createJohnAndMary(backend.url, account.token, JOHN_RECORDING)).john;
});
afterAll(async () => {
  await backend.stop();
  await sink.close();
});

function workerOn(events: RecordingEventSource): RecordingWorker {
  return new RecordingWorker({
    db: backend.store.db,
    log: pino({ level: "silent" }),
    clock: backend.clock,
    folders: null,
    events,
    onEnqueued: () => backend.mail?.kick(),
    sweepMs: 100,
  });
}

/** The registrar's store on a SQLite file, closed with the test. */
async function openStore(path: string) {
  const store = await openRegistrarStore({ kind: "sqlite", path }, { realm: REGISTRAR_REALM });
  return Object.assign(store, { [Symbol.asyncDispose]: () => store.close() });
}

const metadata = (): string =>
  formatCallMetadata({
    userId: john,
    extension: "201",
    dialled: "71234567",
    to: "02071234567",
    kind: "local",
    ...JOHN_RECORDING,
  });

describe("a call not recorded", () => {
  it("is mailed once, naming the reason, the caller, the callee and when", async () => {
    const dir = mkdtempSync(join(tmpdir(), "not-recorded-"));
    const path = join(dir, "registrar.db");
    await using store = await openStore(path);
    // As Kamailio's routing script writes it (registrar/config-recording.ts).
    const kamailio = new DatabaseSync(path);
    kamailio
      .prepare("INSERT INTO pbx_recording_event (call_id, metadata, reason) VALUES (?, ?, ?)")
      .run("unrecorded-1@pbx.test", metadata(), "relay-unavailable");
    kamailio.close();
    const [event] = await store.recordingEvents(10);
    const before = sink.accepted.length;
    const worker = workerOn(recordingEventSource(store));
    await worker.start();
    try {
      await eventually(() => (sink.accepted.length > before ? true : undefined), "the not-recorded mail");
      await new Promise((r) => setTimeout(r, 500)); // several sweeps later
      expect(sink.accepted.length - before).toBe(1);
      expect(await store.recordingEvents(10)).toEqual([]);
    } finally {
      await worker.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    const sent = sink.accepted.at(-1)!;
    expect(sent.to).toEqual([JOHN_RECORDING.email]);
    const mail = readMail(sent.raw);
    expect(mail.headers.get("subject")).toBe(`Call not recorded: ${JOHN_RECORDING.subject}`);
    expect(mail.text).toContain("was not recorded");
    expect(mail.text).toContain("Why: the media relay that records calls could not be reached, or refused the call");
    expect(mail.text).toContain("Caller: John Smith (extension 201)");
    expect(mail.text).toContain("Callee: 71234567 (local number, sent as 02071234567)");
    expect(mail.text).toContain("(Asia/Tokyo)");
    expect(mail.attachment).toBeNull();

    const audit = await backend.store.db
      .selectFrom("audit")
      .selectAll()
      .where("account_id", "=", accountId)
      .where("action", "=", "recording.not-recorded")
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]?.detail).toEqual({ userId: john, reason: "relay-unavailable", eventId: event!.id });
  });

  it("is not mailed twice when the event is read again after the delete failed (a fake table whose deletes fail)", async () => {
    const events = new FakeRecordingEvents();
    events.insert("unrecorded-2@pbx.test", metadata(), "relay-unavailable");
    events.failDeletes = 2;
    const before = sink.accepted.length;
    const worker = workerOn(events);
    await worker.start();
    try {
      await eventually(() => (events.rows.length === 0 ? true : undefined), "the event deleted at last");
      await eventually(() => (sink.accepted.length > before ? true : undefined), "the not-recorded mail");
      await new Promise((r) => setTimeout(r, 500));
      expect(sink.accepted.length - before).toBe(1);
    } finally {
      await worker.stop();
    }
  });
});
