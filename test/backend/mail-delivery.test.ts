/**
 * The mail outbox against a real SMTP server in the test process: a mail is delivered once with its Message-ID,
 * recipient, subject, body and attachment; temporary refusals and a relay that is down are retried; a permanent
 * refusal stops and is audited; the attachment's file goes unless kept; several backends on one PostgreSQL send
 * each mail once; and neither the SMTP password nor an address reaches the logs.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBackend, type Backend, type BackendOptions } from "../../backend/server.ts";
import { enqueueMail, type OutgoingMail } from "../../backend/mail/enqueue.ts";
import { mailState } from "../../backend/mail/store.ts";
import type { SmtpSettings } from "../../backend/mail/settings.ts";
import { describeEachStore, type StoreCase } from "./harness.ts";
import { createDatabase, describeWithPostgres } from "../registrar/postgres.ts";
import { eventually } from "../registrar/sipp.ts";
import { freePort, readMail, SENDER, startSmtpSink, type SmtpSink } from "./mail-harness.ts";

const RETRY = { baseMs: 100, capMs: 400 };
const dir = mkdtempSync(join(tmpdir(), "pbx-mail-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface MailBackend {
  backend: Backend;
  accountId: string;
  logs(): string;
  enqueue(mail: Omit<OutgoingMail, "accountId">): Promise<string>;
  row(id: string): ReturnType<typeof mailState>;
  audit(): Promise<
    { action: string; tokenId: string | null; requestId: string; objectId: string; detail: Record<string, unknown> }[]
  >;
  stop(): Promise<void>;
}

/** A fresh store per backend group: the PostgreSQL one a database of its own, so no other suite's rows mix in. */
async function freshStore(store: StoreCase): Promise<{ options: BackendOptions["store"]; drop(): Promise<void> }> {
  if (store.name === "embedded") return { options: { kind: "embedded", dataDir: null }, drop: async () => {} };
  const db = await createDatabase();
  return { options: { kind: "postgres", url: db.url, poolSize: 4 }, drop: () => db.drop() };
}

async function startMailBackend(
  storeOptions: BackendOptions["store"],
  smtp: SmtpSettings,
  accountId?: string,
): Promise<MailBackend> {
  let logs = "";
  const backend = await startBackend({
    store: storeOptions,
    rateLimit: null,
    logLevel: "info",
    logDestination: new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs += chunk.toString();
        done();
      },
    }),
    mail: { smtp, retry: RETRY, sweepMs: 200 },
  });
  const id =
    accountId ??
    (await backend.createAccount({ name: "Mail Ltd", timeZone: "Europe/London", numbers: ["+442079460000"] }))
      .accountId;
  return {
    backend,
    accountId: id,
    logs: () => logs,
    enqueue: async (mail) => {
      const mailId = await enqueueMail(backend.store.db, { accountId: id, ...mail });
      backend.mail?.kick();
      return mailId;
    },
    row: (mailId) => mailState(backend.store.db, mailId),
    audit: async () => {
      const rows = await backend.store.db
        .selectFrom("audit")
        .selectAll()
        .where("account_id", "=", id)
        .where("action", "like", "mail.%")
        .orderBy("seq")
        .execute();
      return rows.map((r) => ({
        action: r.action,
        tokenId: r.token_id,
        requestId: r.request_id,
        objectId: r.object_id ?? "",
        detail: r.detail,
      }));
    },
    stop: () => backend.stop(),
  };
}

/** A recording-like file: private, with bytes a mail must carry unchanged. */
function recordingFile(name: string, size = 40_000): { path: string; bytes: Buffer } {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 7 + (i >> 8)) & 0xff;
  const path = join(dir, `${name}-${Math.random().toString(36).slice(2, 8)}.wav`);
  writeFileSync(path, bytes, { mode: 0o600 });
  return { path, bytes };
}

const delivered = (b: MailBackend, id: string) =>
  eventually(async () => ((await b.row(id))?.outcome === "delivered" ? true : undefined), `mail ${id} delivered`);

describeEachStore("mail outbox", (store) => {
  let sink: SmtpSink;
  let b: MailBackend;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    sink = await startSmtpSink();
    const s = await freshStore(store);
    drop = () => s.drop();
    b = await startMailBackend(s.options, sink.settings());
  });
  afterAll(async () => {
    await b.stop();
    await sink.close();
    await drop();
  });

  it("delivers a mail once, with its Message-ID, recipient, subject, body and attachment, then removes the file", async () => {
    sink.answer = () => "accept";
    const before = sink.accepted.length;
    const rec = recordingFile("call");
    const id = await b.enqueue({
      to: "john@example.com",
      subject: "Recorded call",
      text: "Caller: 201\nCallee: +442079460123\nStarted: 14 Nov 2026 10:00 (Europe/London)\nDuration: 0:42",
      attachment: { path: rec.path, name: "call.wav", contentType: "audio/wav" },
    });
    await delivered(b, id);
    const row = await b.row(id);
    expect(sink.accepted.length - before).toBe(1);
    const sent = sink.accepted.at(-1)!;
    expect(sent.to).toEqual(["john@example.com"]);
    expect(sent.from).toBe(SENDER);
    const mail = readMail(sent.raw);
    expect(mail.headers.get("message-id")).toBe(row?.message_id);
    expect(row?.message_id).toMatch(/^<mail_[a-z0-9]+@[^>]+>$/);
    expect(mail.headers.get("to")).toBe("john@example.com");
    expect(mail.headers.get("subject")).toBe("Recorded call");
    expect(mail.text).toContain("Duration: 0:42");
    expect(mail.attachment?.name).toBe("call.wav");
    expect(mail.attachment?.contentType).toBe("audio/wav");
    expect(mail.attachment?.bytes.equals(rec.bytes)).toBe(true);
    expect(row?.attempts).toBe(1);

    await eventually(() => (existsSync(rec.path) ? undefined : true), "the recording's file removed");
    const audit = (await b.audit()).filter((a) => a.objectId === id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: "mail.delivered", tokenId: null, requestId: `${id}.1` });
    expect(Object.keys(audit[0]?.detail ?? {}).sort()).toEqual(["attempts", "bytes", "messageId"]);
    expect(audit[0]?.detail).toMatchObject({ messageId: row?.message_id, attempts: 1 });
    expect(audit[0]?.detail.bytes).toBeGreaterThan(rec.bytes.length); // base64 and headers on top
    // The audit row and the logs hold no address, subject or body.
    const said = JSON.stringify(audit) + b.logs();
    for (const secret of ["john@example.com", "Recorded call", "Duration: 0:42"]) expect(said).not.toContain(secret);
  });

  it("keeps the attachment's file when asked to", async () => {
    sink.answer = () => "accept";
    const rec = recordingFile("kept");
    const id = await b.enqueue({
      to: "john@example.com",
      subject: "Kept",
      text: "kept",
      attachment: { path: rec.path, name: "kept.wav", contentType: "audio/wav", keep: true },
    });
    await delivered(b, id);
    await b.backend.mail?.settled();
    expect(readFileSync(rec.path).equals(rec.bytes)).toBe(true);
    expect(statSync(rec.path).mode & 0o777).toBe(0o600);
  });

  it("retries temporary refusals with the same Message-ID and delivers exactly once", async () => {
    const first = sink.attempts;
    const accepted = sink.accepted.length;
    sink.answer = (n) =>
      n - first <= 2 ? { code: 451, message: "4.3.0 Try again later for <john@example.com>" } : "accept";
    const id = await b.enqueue({ to: "john@example.com", subject: "Retried", text: "retried" });
    await delivered(b, id);
    const row = await b.row(id);
    expect(row?.attempts).toBe(3);
    expect(sink.accepted.length - accepted).toBe(1);
    const ids = sink.received.slice(first).map((raw) => readMail(raw).headers.get("message-id"));
    expect(ids).toEqual([row?.message_id, row?.message_id, row?.message_id]);
    const retries = b
      .logs()
      .split("\n")
      .filter((l) => l.includes(`"mailId":"${id}"`) && l.includes('"mail.retry"'));
    expect(retries).toHaveLength(2);
    expect(retries[0]).toContain('"smtpCode":451');
    expect(retries.join("\n")).not.toContain("john@example.com");
    const audit = (await b.audit()).filter((a) => a.objectId === id);
    expect(audit.map((a) => a.action)).toEqual(["mail.delivered"]);
    expect(audit[0]?.detail).toMatchObject({ attempts: 3 });
  });

  it("stops at a permanent refusal and the audit log says so", async () => {
    const first = sink.attempts;
    sink.answer = () => ({ code: 550, message: "5.1.1 <nobody@example.com>: Recipient address rejected" });
    const rec = recordingFile("refused");
    const id = await b.enqueue({
      to: "nobody@example.com",
      subject: "Refused",
      text: "refused",
      attachment: { path: rec.path, name: "refused.wav", contentType: "audio/wav" },
    });
    await eventually(async () => ((await b.row(id))?.outcome === "refused" ? true : undefined), "mail refused");
    // Several retry periods later it was still tried once only.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(sink.attempts - first).toBe(1);
    const row = await b.row(id);
    expect(row?.attempts).toBe(1);
    expect(row?.delivered_at).not.toBeNull();
    const audit = (await b.audit()).filter((a) => a.objectId === id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: "mail.refused", tokenId: null });
    expect(audit[0]?.detail).toMatchObject({ smtpCode: 550, messageId: row?.message_id, reason: "refused-by-relay" });
    expect(String(audit[0]?.detail.reply)).toContain("Recipient address rejected");
    const warn = b
      .logs()
      .split("\n")
      .find((l) => l.includes(`"mailId":"${id}"`) && l.includes('"mail.refused"'));
    expect(warn).toContain('"level":40');
    expect(warn).toContain('"smtpCode":550');
    expect(JSON.stringify(audit) + b.logs()).not.toContain("nobody@example.com");
    // Not delivered: the recording stays for an operator to recover.
    expect(existsSync(rec.path)).toBe(true);
  });
});

describeEachStore("mail outbox with the relay down", (store) => {
  it("delivers a mail enqueued while the relay was down once it comes up", async () => {
    const port = await freePort();
    const s = await freshStore(store);
    const b = await startMailBackend(s.options, {
      host: "127.0.0.1",
      port,
      security: "none",
      auth: null,
      from: SENDER,
    });
    let sink: SmtpSink | null = null;
    try {
      const id = await b.enqueue({ to: "john@example.com", subject: "Down", text: "down" });
      await eventually(async () => (((await b.row(id))?.attempts ?? 0) >= 2 ? true : undefined), "two failed attempts");
      expect((await b.row(id))?.last_error).toMatch(/ECONNECTION|ECONNREFUSED/);
      sink = await startSmtpSink({ port });
      await delivered(b, id);
      await new Promise((r) => setTimeout(r, 500));
      expect(sink.accepted).toHaveLength(1);
      expect(readMail(sink.accepted[0]!.raw).headers.get("message-id")).toBe((await b.row(id))?.message_id);
    } finally {
      await b.stop();
      await sink?.close();
      await s.drop();
    }
  });
});

describe("mail outbox with a login", () => {
  const password = "correct horse battery staple 7f3a";
  const wrong = "not-the-password-91c2";

  it("retries a refused login and never logs the password", async () => {
    const sink = await startSmtpSink({ login: { user: "pbx", password } });
    const b = await startMailBackend(
      { kind: "embedded", dataDir: null },
      sink.settings({ user: "pbx", password: wrong }),
    );
    try {
      const id = await b.enqueue({ to: "john@example.com", subject: "Login", text: "login" });
      await eventually(async () => (((await b.row(id))?.attempts ?? 0) >= 2 ? true : undefined), "refused logins");
      expect(sink.logins.length).toBeGreaterThanOrEqual(2);
      expect((await b.row(id))?.outcome).toBeNull(); // a refused login is the server's settings, not the mail: kept
      const logs = b.logs();
      expect(logs).toContain("login refused by the relay");
      for (const secret of [
        wrong,
        Buffer.from(wrong).toString("base64"),
        Buffer.from(`\0pbx\0${wrong}`).toString("base64"),
      ])
        expect(logs).not.toContain(secret);
      expect(JSON.stringify(await b.row(id))).not.toContain(wrong);
    } finally {
      await b.stop();
      await sink.close();
    }
  });

  it("delivers with the right login and never logs the password", async () => {
    const sink = await startSmtpSink({ login: { user: "pbx", password } });
    const b = await startMailBackend({ kind: "embedded", dataDir: null }, sink.settings({ user: "pbx", password }));
    try {
      const id = await b.enqueue({ to: "john@example.com", subject: "Login", text: "login" });
      await delivered(b, id);
      expect(sink.accepted).toHaveLength(1);
      expect(b.logs()).not.toContain(password);
      expect(b.logs()).not.toContain(Buffer.from(`\0pbx\0${password}`).toString("base64"));
    } finally {
      await b.stop();
      await sink.close();
    }
  });
});

describeWithPostgres("several backends on one PostgreSQL sharing the mail outbox", () => {
  it("sends each mail once: claims skip each other's rows", async () => {
    const sink = await startSmtpSink();
    const db = await createDatabase();
    const first = await startMailBackend({ kind: "postgres", url: db.url, poolSize: 4 }, sink.settings());
    const second = await startMailBackend(
      { kind: "postgres", url: db.url, poolSize: 4 },
      sink.settings(),
      first.accountId,
    );
    try {
      const ids: string[] = [];
      for (let i = 0; i < 24; i++)
        ids.push(
          await (i % 2 === 0 ? first : second).enqueue({ to: `u${i}@example.com`, subject: `M${i}`, text: "x" }),
        );
      for (const id of ids) await delivered(first, id);
      await Promise.all([first.backend.mail?.settled(), second.backend.mail?.settled()]);
      await new Promise((r) => setTimeout(r, 500));
      const sent = sink.accepted.map((m) => readMail(m.raw).headers.get("message-id"));
      expect(sent).toHaveLength(24);
      expect(new Set(sent).size).toBe(24);
      const byBoth = [first.logs(), second.logs()].map((l) => l.split('"mail.delivered"').length - 1);
      expect(byBoth[0]! + byBoth[1]!).toBe(24);
    } finally {
      await first.stop();
      await second.stop();
      await sink.close();
      await db.drop();
    }
  });
});

describe("a backend without a relay", () => {
  it("says once that mail is not configured, and mails wait", async () => {
    const dataDir = join(dir, "unconfigured");
    const logsOf = async (run: (b: Backend) => Promise<void>): Promise<string> => {
      let logs = "";
      const backend = await startBackend({
        store: { kind: "embedded", dataDir },
        rateLimit: null,
        logDestination: new Writable({
          write(chunk: Buffer, _encoding, done) {
            logs += chunk.toString();
            done();
          },
        }),
      });
      try {
        expect(backend.mail).toBeNull();
        await run(backend);
      } finally {
        await backend.stop();
      }
      return logs;
    };
    let id = "";
    const first = await logsOf(async (backend) => {
      const { accountId } = await backend.createAccount({ name: "No Mail", timeZone: "UTC", numbers: [] });
      id = await enqueueMail(backend.store.db, { accountId, to: "john@example.com", subject: "Waits", text: "x" });
    });
    expect(first.split('"mail.not-configured"')).toHaveLength(2);
    const second = await logsOf(async (backend) => {
      expect(await mailState(backend.store.db, id)).toMatchObject({ outcome: null, attempts: 0 });
    });
    const notice = second.split("\n").filter((l) => l.includes('"mail.not-configured"'));
    expect(notice).toHaveLength(1);
    expect(notice[0]).toContain('"waiting":1');
  });
});
