/**
 * The backend killed between a recorded call's hang-up and its delivery: `serve --registrar` (a child process,
 * embedded store, Kamailio and the relay beside it) records a call; the SMTP relay holds the mail's DATA without
 * answering and the process is killed with SIGKILL. Started again, it delivers the recording once, with the same
 * Message-ID, and removes the WAV.
 *
 * Ports of this file: RTP 41600–41699.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { exited, spawnServe, type ServeProcess } from "../backend/processes.ts";
import { readMail, SENDER, startSmtpSink, type SmtpSink } from "../backend/mail-harness.ts";
import { eventually } from "../registrar/sipp.ts";
import { readWav } from "../recording/wav-reader.ts";
import { createJohnAndMary, describeWithRelay, johnCallsMary, JOHN_RECORDING, recordedCall } from "./harness.ts";

const dir = mkdtempSync(join(tmpdir(), "pbx-recording-crash-"));
const dataDir = join(dir, "data");
const registrarDir = join(dir, "registrar");
const children: ServeProcess[] = [];
let sink: SmtpSink;

beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(async () => {
  for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill("SIGKILL");
  await Promise.all(children.map((c) => exited(c.child)));
  await sink.close();
  rmSync(dir, { recursive: true, force: true });
});

async function serve(): Promise<{ p: ServeProcess; relay: { host: string; port: number } }> {
  const p = await spawnServe([
    "--database",
    dataDir,
    "--registrar",
    "--registrar-dir",
    registrarDir,
    "--relay-rtp-ports",
    "41600-41699",
    "--smtp-url",
    `smtp://127.0.0.1:${sink.port}`,
    "--smtp-security",
    "none",
    "--mail-from",
    SENDER,
  ]);
  children.push(p);
  const ready = p
    .stdout()
    .split("\n")
    .map((l) => {
      try {
        return JSON.parse(l) as { tokenFile?: unknown; relay?: { host: string; ngPort: number } | null };
      } catch {
        return {};
      }
    })
    .find((l) => "tokenFile" in l);
  if (!ready?.relay) throw new Error(`serve started no relay: ${p.stderr()}`);
  return { p, relay: { host: ready.relay.host, port: ready.relay.ngPort } };
}

describeWithRelay("a backend killed between a recorded call's hang-up and its delivery", () => {
  it("delivers the recording once after restart", async () => {
    const first = await serve();
    const token = readFileSync(first.p.tokenFile!, "utf8").trim();
    const { john } = await createJohnAndMary(first.p.url, token, JOHN_RECORDING);
    sink.answer = (n) => (n === 1 ? "hold" : "accept");
    const holding = sink.holding();

    await recordedCall(first.relay, { callId: "crash-1@pbx.test", metadata: johnCallsMary(john), durationMs: 1_000 });
    await holding; // the recording's DATA reached the relay, which has not answered
    first.p.child.kill("SIGKILL");
    await exited(first.p.child);
    expect(sink.accepted).toHaveLength(0);

    const second = await serve();
    await eventually(() => (sink.accepted.length > 0 ? true : undefined), "the recording delivered", 30_000);
    const mailDir = join(registrarDir, "recordings", "mail");
    await eventually(() => (readdirSync(mailDir).length === 0 ? true : undefined), "the WAV removed after delivery");
    second.p.child.kill("SIGTERM");
    expect(await exited(second.p.child)).toBe(0);

    expect(sink.accepted).toHaveLength(1);
    const mail = readMail(sink.accepted[0]!.raw);
    expect(mail.headers.get("subject")).toBe(JOHN_RECORDING.subject);
    expect(readWav(mail.attachment!.bytes).durationSeconds).toBeGreaterThan(0.5);
    // Both attempts carried the same Message-ID: the held one and the delivered one.
    expect(new Set(sink.received.map((raw) => readMail(raw).headers.get("message-id")))).toEqual(
      new Set([mail.headers.get("message-id")]),
    );
    expect(existsSync(join(registrarDir, "recordings", "relay", "metadata"))).toBe(true);
    expect(readdirSync(join(registrarDir, "recordings", "relay", "metadata"))).toEqual([]);
    for (const p of [first.p, second.p]) expect(p.stdout()).not.toContain(JOHN_RECORDING.email);
  });
});
