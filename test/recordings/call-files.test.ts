/**
 * The worker on the relay's files of a finished call (a pcap rtpengine wrote, and a metadata file in its shape):
 * a call processed again after a crash between its mails' commit and the removal of the relay's files is not
 * mailed twice; a recording above the attachment cap is split into consecutive parts, one mail each, "part n of
 * N" in subject and body; a call whose pcap cannot be read is set aside and its user told it was not recorded.
 * Mails wait in the outbox here (no SMTP relay): what is checked is what was enqueued.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBackend, type Backend } from "../../backend/server.ts";
import { recordingFolders, type RecordingFolders } from "../../backend/recordings/folders.ts";
import { RecordingWorker } from "../../backend/recordings/worker.ts";
import { formatCallMetadata } from "../../recording/call-metadata.ts";
import { readWav } from "../recording/wav-reader.ts";
import { hasTone } from "../recording/tones.ts";
import { createJohnAndMary, johnCallsMary, JOHN_RECORDING } from "./harness.ts";

const PCAP = fileURLToPath(new URL("../recording/fixtures/rtpengine-pcap-raw.pcap", import.meta.url)); // 1 s
const METADATA = fileURLToPath(new URL("../recording/fixtures/rtpengine-meta-started-at-answer.txt", import.meta.url));

let dir: string;
let backend: Backend;
let john: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pbx-call-files-"));
  backend = await startBackend({ store: { kind: "embedded", dataDir: null }, rateLimit: null, logLevel: "silent" });
  const account = await backend.createAccount({
    name: "Files Ltd",
    timeZone: "Europe/London",
    numbers: ["+442079460000"],
  });
  john = (await createJohnAndMary(backend.url, account.token, JOHN_RECORDING)).john;
});
afterAll(async () => {
  await backend.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The relay's folders with one finished call in them, as rtpengine leaves it; answers the call's files. */
function finishedCall(
  folders: RecordingFolders,
  name: string,
  email: string,
  pcap = PCAP,
): { pcap: string; metadata: string } {
  for (const sub of ["pcaps", "metadata", "tmp"]) mkdirSync(join(folders.relay, sub), { recursive: true, mode: 0o700 });
  const pcapPath = join(folders.relay, "pcaps", `${name}.pcap`);
  copyFileSync(pcap, pcapPath);
  // The fixture's own lines, with this call's pcap and metadata, and no end time: the recording runs to its end.
  const lines = readFileSync(METADATA, "utf8").trimEnd().split("\n");
  lines[0] = pcapPath;
  lines[lines.length - 1] = formatCallMetadata({ ...johnCallsMary(john), email });
  const text = lines.filter((l) => !l.startsWith("Timestamp terminated")).join("\n");
  const metadataPath = join(folders.relay, "metadata", `rtpengine-meta-${name}.txt`);
  writeFileSync(metadataPath, `${text}\n`, { mode: 0o600 });
  return { pcap: pcapPath, metadata: metadataPath };
}

async function onePass(folders: RecordingFolders, maxAttachmentBytes?: number): Promise<void> {
  const worker = new RecordingWorker({
    db: backend.store.db,
    log: pino({ level: "silent" }),
    clock: backend.clock,
    folders,
    events: null,
    onEnqueued: () => undefined,
    ...(maxAttachmentBytes !== undefined ? { maxAttachmentBytes } : {}),
    sweepMs: 60_000,
  });
  await worker.start();
  await worker.settled();
  await worker.stop();
}

const mailsTo = (email: string) =>
  backend.store.db.selectFrom("mail_outbox").selectAll().where("recipient", "=", email).orderBy("subject").execute();

describe("the relay's files of a finished call", () => {
  it("are mailed once, even when found again after a crash between the mail's commit and their removal", async () => {
    const folders = recordingFolders(join(dir, "once"));
    const call = finishedCall(folders, "once%40pbx-0123456789abcdef", "once@example.com");
    await onePass(folders);
    expect(existsSync(call.pcap) || existsSync(call.metadata)).toBe(false);
    const [mail, ...others] = await mailsTo("once@example.com");
    expect(others).toEqual([]);
    expect(mail?.source_key).toMatch(/^recording:[0-9a-f]{32}:1$/);
    expect(statSync(mail!.attachment_path!).mode & 0o777).toBe(0o600);
    const wav = readWav(readFileSync(mail!.attachment_path!));
    expect(wav.durationSeconds).toBeCloseTo(1, 1);
    expect(hasTone(wav.samples, 440, 0, 1)).toBe(true);

    // The same files again: what a crash after the commit and before the removal leaves.
    finishedCall(folders, "once%40pbx-0123456789abcdef", "once@example.com");
    await onePass(folders);
    expect(await mailsTo("once@example.com")).toHaveLength(1);
    expect(readdirSync(join(folders.relay, "metadata"))).toEqual([]);
    expect(readdirSync(join(folders.relay, "pcaps"))).toEqual([]);
  });

  it("are split into consecutive parts above the attachment cap, one mail each, 'part n of N'", async () => {
    const folders = recordingFolders(join(dir, "parts"));
    finishedCall(folders, "parts%40pbx-0123456789abcdef", "parts@example.com");
    const cap = 44 + 2 * 8000 * 0.4; // 0.4 s of audio per part
    await onePass(folders, cap);
    const mails = await mailsTo("parts@example.com");
    expect(mails.map((m) => m.subject)).toEqual([1, 2, 3].map((n) => `${JOHN_RECORDING.subject} (part ${n} of 3)`));
    expect(mails.map((m) => /Part: (\d) of 3/.exec(m.body_text)?.[1])).toEqual(["1", "2", "3"]);
    const seconds = mails.map((m) => readWav(readFileSync(m.attachment_path!)).durationSeconds);
    expect(seconds[0]).toBeCloseTo(0.4, 3);
    expect(seconds.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 1);
    for (const m of mails) expect(statSync(m.attachment_path!).size).toBeLessThanOrEqual(cap);
    mails.forEach((m, i) => expect(m.attachment_name).toMatch(new RegExp(`-201-to-202-part${i + 1}of3\\.wav$`)));
  });

  it("that cannot be read are set aside, and the user is told the call was not recorded", async () => {
    const folders = recordingFolders(join(dir, "unreadable"));
    const garbage = join(dir, "garbage.pcap");
    writeFileSync(garbage, "not a pcap at all");
    const call = finishedCall(folders, "bad%40pbx-0123456789abcdef", "bad@example.com", garbage);
    await onePass(folders);
    await onePass(folders);
    const mails = await mailsTo("bad@example.com");
    expect(mails.map((m) => m.subject)).toEqual([`Call not recorded: ${JOHN_RECORDING.subject}`]);
    expect(mails[0]?.body_text).toContain("Why: the relay's recording of the call could not be read.");
    expect(existsSync(`${call.metadata}.failed`)).toBe(true);
    expect(existsSync(call.pcap)).toBe(true);
  });
});
