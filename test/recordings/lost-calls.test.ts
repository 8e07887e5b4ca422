/**
 * Recorded calls a dying relay lost (their empty metadata file left in the relay's `tmp/`, their pcap unfinished):
 * the recordings worker, at start for files older than its relay's start and at each relay restart for files older
 * than the restart, mails the user "Call not recorded" from the metadata Kamailio kept in the registrar's
 * `pbx_recording_call` (SQLite, written as Kamailio writes it), once, and removes the files and the row. A call the
 * running relay still holds (a newer file) is left alone; a lost call the registrar has no row for is removed without
 * a mail. The relay's files are laid out as rtpengine leaves them (test/registrar/relay.test.ts shows it on the real
 * daemon); the mail outbox and the SMTP server are real.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { pino } from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startBackend, type Backend } from "../../backend/server.ts";
import { RecordingWorker } from "../../backend/recordings/worker.ts";
import { formatCallMetadata } from "../../recording/call-metadata.ts";
import { openRegistrarStore, REGISTRAR_REALM, type RegistrarStore } from "../../registrar/index.ts";
import { readMail, startSmtpSink, type SmtpSink } from "../backend/mail-harness.ts";
import { eventually } from "../registrar/sipp.ts";
import { createJohnAndMary, johnCallsMary, JOHN_RECORDING } from "./harness.ts";

let sink: SmtpSink;
let backend: Backend;
let john: string;
let dir: string;
let store: RegistrarStore;
let registrarDb: string;
beforeAll(async () => {
  sink = await startSmtpSink();
  backend = await startBackend({
    store: { kind: "embedded", dataDir: null },
    rateLimit: null,
    logLevel: "silent",
    mail: { smtp: sink.settings(), retry: { baseMs: 100, capMs: 400 }, sweepMs: 200 },
  });
  const account = await backend.createAccount({
    name: "Lost Ltd",
    timeZone: "Europe/Paris",
    numbers: ["+442079460000"],
  });
  john = (await createJohnAndMary(backend.url, account.token, JOHN_RECORDING)).john;
  dir = mkdtempSync(join(tmpdir(), "lost-calls-"));
  registrarDb = join(dir, "registrar.db");
  store = await openRegistrarStore({ kind: "sqlite", path: registrarDb }, { realm: REGISTRAR_REALM });
});
afterAll(async () => {
  await store.close();
  await backend.stop();
  await sink.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A relay folder holding calls as a dead relay leaves them: `tmp/rtpengine-meta-<name>.tmp` (empty) and a pcap. */
function relayFolder(name: string): { relay: string; mail: string } {
  const folders = { relay: join(dir, name, "relay"), mail: join(dir, name, "mail") };
  for (const sub of ["tmp", "pcaps", "metadata"]) mkdirSync(join(folders.relay, sub), { recursive: true });
  return folders;
}
function unfinishedCall(relay: string, callId: string, madeAt: Date): string {
  const name = `${encodeURIComponent(callId)}-0123456789abcdef`;
  const tmp = join(relay, "tmp", `rtpengine-meta-${name}.tmp`);
  writeFileSync(tmp, "");
  utimesSync(tmp, madeAt, madeAt);
  writeFileSync(join(relay, "pcaps", `${name}.pcap`), Buffer.alloc(4096));
  return name;
}
/** As Kamailio's routing script writes it at the answer (registrar/config-recording.ts). */
function answered(callId: string): void {
  const kamailio = new DatabaseSync(registrarDb);
  kamailio
    .prepare("INSERT INTO pbx_recording_call (call_id, metadata) VALUES (?, ?)")
    .run(callId, formatCallMetadata(johnCallsMary(john)));
  kamailio.close();
}
function workerOn(folders: { relay: string; mail: string }, relayStartedAt: Date): RecordingWorker {
  return new RecordingWorker({
    db: backend.store.db,
    log: pino({ level: "silent" }),
    clock: backend.clock,
    folders,
    events: null,
    calls: store,
    relayStartedAt,
    onEnqueued: () => backend.mail?.kick(),
    sweepMs: 100,
  });
}
const files = (relay: string): string[] =>
  ["tmp", "pcaps", "metadata"].flatMap((sub) => readdirSync(join(relay, sub)).map((f) => `${sub}/${f}`)).sort();

it("mails once, at start, for each call the relay lost before it started, and leaves the running relay's calls", async () => {
  const folders = relayFolder("at-start");
  const relayStartedAt = new Date();
  const past = new Date(relayStartedAt.getTime() - 60_000);
  unfinishedCall(folders.relay, "lost-1@pbx.test", past);
  answered("lost-1@pbx.test");
  unfinishedCall(folders.relay, "no-row@pbx.test", past); // the registrar never saw it answered
  const live = unfinishedCall(folders.relay, "live@pbx.test", new Date(relayStartedAt.getTime() + 1_000));
  answered("live@pbx.test");
  const before = sink.accepted.length;

  const worker = workerOn(folders, relayStartedAt);
  await worker.start();
  try {
    await eventually(() => (sink.accepted.length > before ? true : undefined), "the lost call's mail");
    await new Promise((r) => setTimeout(r, 500)); // several sweeps later
    await worker.settled();
  } finally {
    await worker.stop();
  }
  expect(sink.accepted.length - before).toBe(1);
  const sent = sink.accepted.at(-1)!;
  expect(sent.to).toEqual([JOHN_RECORDING.email]);
  const mail = readMail(sent.raw);
  expect(mail.headers.get("subject")).toBe(`Call not recorded: ${JOHN_RECORDING.subject}`);
  expect(mail.text).toContain("Why: the media relay that records calls stopped during the call and was restarted");
  expect(mail.text).toContain("Caller: John Smith (extension 201)");
  expect(mail.text).toContain("Callee: Mary Jones (extension 202)");
  expect(mail.text).toContain("(Europe/Paris)");
  // The lost calls' files and row are gone; the live call's stay.
  expect(files(folders.relay)).toEqual([`pcaps/${live}.pcap`, `tmp/rtpengine-meta-${live}.tmp`]);
  expect(await store.recordingCalls(["lost-1@pbx.test", "live@pbx.test"])).toEqual([
    expect.objectContaining({ callId: "live@pbx.test" }),
  ]);
});

it("mails for the calls in progress when the relay restarts, not before", async () => {
  const folders = relayFolder("at-restart");
  const worker = workerOn(folders, new Date(Date.now() - 60_000));
  await worker.start();
  try {
    const before = sink.accepted.length;
    const name = unfinishedCall(folders.relay, "in-progress@pbx.test", new Date());
    answered("in-progress@pbx.test");
    await new Promise((r) => setTimeout(r, 400)); // sweeps leave a call the relay still holds
    await worker.settled();
    expect(sink.accepted.length).toBe(before);
    expect(existsSync(join(folders.relay, "tmp", `rtpengine-meta-${name}.tmp`))).toBe(true);

    worker.relayRestarted(new Date(Date.now() + 10));
    await eventually(() => (sink.accepted.length > before ? true : undefined), "the lost call's mail");
    await worker.settled();
    expect(sink.accepted.length - before).toBe(1);
    expect(readMail(sink.accepted.at(-1)!.raw).headers.get("subject")).toBe(
      `Call not recorded: ${JOHN_RECORDING.subject}`,
    );
    expect(files(folders.relay)).toEqual([]);
    expect(await store.recordingCalls(["in-progress@pbx.test"])).toEqual([]);
  } finally {
    await worker.stop();
  }
});
