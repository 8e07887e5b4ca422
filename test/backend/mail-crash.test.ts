/**
 * A mail survives its backend process: `serve` (a child process, embedded store, a relay with a login) is killed
 * with SIGKILL, or stopped with SIGTERM, while the relay holds the mail's DATA unanswered; once started again it
 * delivers the mail once, with its Message-ID, and removes the attachment's file. Neither process's output holds
 * the SMTP password.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../backend/store/index.ts";
import { insertAccount } from "../../backend/accounts/store.ts";
import { enqueueMail } from "../../backend/mail/enqueue.ts";
import { mailState } from "../../backend/mail/store.ts";
import { exited, spawnServe, type ServeProcess } from "./processes.ts";
import { readMail, SENDER, startSmtpSink, type SmtpSink } from "./mail-harness.ts";
import { eventually } from "../registrar/sipp.ts";

const dir = mkdtempSync(join(tmpdir(), "pbx-mail-crash-"));
const dataDir = join(dir, "data");
const password = "s3cret-relay-password-5d1e";
const passwordFile = join(dir, "smtp-password");
const children: ServeProcess[] = [];
let sink: SmtpSink;
let accountId: string;

beforeAll(async () => {
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  sink = await startSmtpSink({ login: { user: "pbx", password } });
  const store = await openStore({ kind: "embedded", dataDir });
  try {
    accountId = (
      await insertAccount(store.db, { name: "Crash Ltd", timeZone: "UTC", numbers: ["+442079460000"] }, new Date())
    ).account.id;
  } finally {
    await store.close();
  }
});
afterAll(async () => {
  for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill("SIGKILL");
  await Promise.all(children.map((c) => exited(c.child)));
  await sink.close();
  rmSync(dir, { recursive: true, force: true });
});

async function serve(): Promise<ServeProcess> {
  const p = await spawnServe([
    "--database",
    dataDir,
    "--smtp-url",
    `smtp://127.0.0.1:${sink.port}`,
    "--smtp-security",
    "none",
    "--smtp-user",
    "pbx",
    "--smtp-password-file",
    passwordFile,
    "--mail-from",
    SENDER,
  ]);
  children.push(p);
  return p;
}

/** Enqueues a mail with an attachment while no process holds the store (the embedded store is one process's). */
async function enqueueOffline(name: string): Promise<{ id: string; file: string }> {
  const file = join(dir, `${name}.wav`);
  writeFileSync(file, Buffer.alloc(20_000, 7), { mode: 0o600 });
  const store = await openStore({ kind: "embedded", dataDir });
  try {
    const id = await enqueueMail(store.db, {
      accountId,
      to: "john@example.com",
      subject: `Recording ${name}`,
      text: "Duration: 0:10",
      attachment: { path: file, name: `${name}.wav`, contentType: "audio/wav" },
    });
    return { id, file };
  } finally {
    await store.close();
  }
}

async function row(id: string) {
  const store = await openStore({ kind: "embedded", dataDir });
  try {
    return await mailState(store.db, id);
  } finally {
    await store.close();
  }
}

describe.each([
  ["killed", "SIGKILL"],
  ["stopped", "SIGTERM"],
] as const)("a backend %s while the relay holds a mail", (_how, signal) => {
  it("delivers the mail once after restart", async () => {
    const mail = await enqueueOffline(signal.toLowerCase());
    const attemptsBefore = sink.attempts;
    const acceptedBefore = sink.accepted.length;
    sink.answer = (n) => (n === attemptsBefore + 1 ? "hold" : "accept");
    const holding = sink.holding();

    const first = await serve();
    await holding; // the mail's DATA reached the relay, which has not answered
    first.child.kill(signal);
    const code = await exited(first.child);
    if (signal === "SIGTERM") expect(code).toBe(0); // a stop aborts the send instead of waiting on the relay
    expect(sink.accepted.length).toBe(acceptedBefore);

    const second = await serve();
    await eventually(() => (sink.accepted.length > acceptedBefore ? true : undefined), "the mail accepted", 20_000);
    await eventually(() => (existsSync(mail.file) ? undefined : true), "the attachment's file removed");
    second.child.kill("SIGTERM");
    expect(await exited(second.child)).toBe(0);

    const state = await row(mail.id);
    expect(state?.outcome).toBe("delivered");
    expect(sink.accepted.length - acceptedBefore).toBe(1);
    const sent = readMail(sink.accepted.at(-1)!.raw);
    expect(sent.headers.get("message-id")).toBe(state?.message_id);
    // Both attempts carried the same Message-ID.
    const tried = sink.received.slice(attemptsBefore).map((raw) => readMail(raw).headers.get("message-id"));
    expect(new Set(tried)).toEqual(new Set([state?.message_id]));

    for (const p of [first, second]) {
      expect(p.stdout() + p.stderr()).not.toContain(password);
      expect(p.stdout()).not.toContain("john@example.com");
    }
    expect(first.stderr()).toContain(`mail: through 127.0.0.1:${sink.port} (none) from ${SENDER}`);
  });
});
