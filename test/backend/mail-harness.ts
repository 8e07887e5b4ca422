// The SMTP relay of the mail outbox's tests: a real SMTP server (smtp-server) in the test process on a free
// loopback port, answering each message as the test says (accept, refuse with a code, or hold the DATA until the
// client goes away), and a small reader of the messages it accepted.
import { createServer, type AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import type { SmtpSettings } from "../../backend/mail/settings.ts";
import { Secret } from "../../backend/mail/settings.ts";

export type SinkAnswer = "accept" | "hold" | { code: number; message: string };

export interface AcceptedMail {
  from: string;
  to: string[];
  raw: Buffer;
}

export interface SmtpSink {
  port: number;
  /** Messages accepted (2xx), in order. */
  accepted: AcceptedMail[];
  /** Every DATA received, accepted or not, in order. */
  received: Buffer[];
  attempts: number;
  /** Logins tried (user names), accepted or not. */
  logins: string[];
  /** How the next messages are answered: the answer for the n-th DATA (1-based). */
  answer: (n: number) => SinkAnswer;
  /** Resolves when a message is being held (its DATA arrived and no answer was given). */
  holding(): Promise<void>;
  /** The settings a backend uses to reach this sink. */
  settings(auth?: { user: string; password: string }): SmtpSettings;
  close(): Promise<void>;
}

/** A free loopback port (bound and released): for a relay that comes up later on a known port. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export const SENDER = "recordings@pbx-estate.test";

export async function startSmtpSink(
  options: { port?: number; login?: { user: string; password: string } } = {},
): Promise<SmtpSink> {
  let heldResolve: (() => void) | null = null;
  let heldPromise = new Promise<void>((resolve) => (heldResolve = resolve));
  const sink: SmtpSink = {
    port: 0,
    accepted: [],
    received: [],
    attempts: 0,
    logins: [],
    answer: () => "accept",
    holding: () => heldPromise,
    settings: (auth) => ({
      host: "127.0.0.1",
      port: sink.port,
      security: "none",
      auth: auth ? { user: auth.user, password: new Secret(auth.password) } : null,
      from: SENDER,
    }),
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = new SMTPServer({
    secure: false,
    disabledCommands: options.login ? ["STARTTLS"] : ["STARTTLS", "AUTH"],
    authOptional: options.login === undefined,
    allowInsecureAuth: true,
    logger: false,
    closeTimeout: 100,
    onAuth(auth, _session, callback) {
      sink.logins.push(auth.username ?? "");
      if (options.login && auth.username === options.login.user && auth.password === options.login.password)
        callback(null, { user: auth.username });
      else callback(Object.assign(new Error("Authentication credentials invalid"), { responseCode: 535 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        sink.attempts += 1;
        sink.received.push(Buffer.concat(chunks));
        const answer = sink.answer(sink.attempts);
        if (answer === "hold") {
          heldResolve?.();
          heldPromise = new Promise<void>((resolve) => (heldResolve = resolve));
          return; // never answered: the client gives up or dies
        }
        if (answer === "accept") {
          sink.accepted.push({
            from: session.envelope.mailFrom === false ? "" : session.envelope.mailFrom.address,
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks),
          });
          callback(null, "Queued as test");
          return;
        }
        callback(Object.assign(new Error(answer.message), { responseCode: answer.code }));
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  server.on("error", () => undefined); // a client dropping mid-message is expected in these tests
  sink.port = (server.server.address() as AddressInfo).port;
  return sink;
}

/** What a reader of an accepted mail sees. A small MIME reader for the shape the outbox writes, not a general one. */
export interface ReadMail {
  headers: Map<string, string>;
  text: string;
  attachment: { name: string; contentType: string; bytes: Buffer } | null;
}

function splitHead(part: string): { headers: Map<string, string>; body: string } {
  const at = part.indexOf("\r\n\r\n");
  const head = at < 0 ? part : part.slice(0, at);
  const body = at < 0 ? "" : part.slice(at + 4);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r\n[ \t]+/g, " ").split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function decode(body: string, encoding: string | undefined): Buffer {
  if (encoding?.toLowerCase() === "base64") return Buffer.from(body.replace(/\s+/g, ""), "base64");
  if (encoding?.toLowerCase() === "quoted-printable")
    return Buffer.from(
      body.replace(/=\r\n/g, "").replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
      "latin1",
    );
  return Buffer.from(body, "utf8");
}

export function readMail(raw: Buffer): ReadMail {
  const { headers, body } = splitHead(raw.toString("latin1"));
  const type = headers.get("content-type") ?? "text/plain";
  const boundary = /boundary="?([^";]+)"?/.exec(type)?.[1];
  if (boundary === undefined)
    return { headers, text: decode(body, headers.get("content-transfer-encoding")).toString("utf8"), attachment: null };
  const parts = body
    .split(`--${boundary}`)
    .slice(1)
    .filter((p) => !p.startsWith("--"))
    .map((p) => splitHead(p.replace(/^\r\n/, "").replace(/\r\n$/, "")));
  let text = "";
  let attachment: ReadMail["attachment"] = null;
  for (const p of parts) {
    const partType = p.headers.get("content-type") ?? "";
    const bytes = decode(p.body, p.headers.get("content-transfer-encoding"));
    if (partType.startsWith("text/plain") && !(p.headers.get("content-disposition") ?? "").startsWith("attachment"))
      text = bytes.toString("utf8");
    else
      attachment = {
        name: /filename="?([^";]+)"?/.exec(p.headers.get("content-disposition") ?? "")?.[1] ?? "",
        contentType: partType.split(";")[0] ?? "",
        bytes,
      };
  }
  return { headers, text, attachment };
}
