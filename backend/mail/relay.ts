// Hands one built message to the SMTP relay (nodemailer's SMTP transport) and says what the relay answered:
// accepted (2xx), refused for now (4xx, a relay that is down or slow, a refused login) or refused for good (5xx).
// What it reports is safe to log and audit: SMTP codes and the relay's reply with addresses masked, never the
// login, the password or the message.
import nodemailer from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport";
import type { SmtpSettings } from "./settings.ts";

export type RelayAnswer =
  | { kind: "accepted"; reply: string }
  | { kind: "temporary"; smtpCode: number | null; reason: string }
  | { kind: "permanent"; smtpCode: number | null; reply: string };

export interface MailRelay {
  /** The sender address (From, MAIL FROM). */
  readonly from: string;
  send(message: Buffer, envelope: { from: string; to: string }): Promise<RelayAnswer>;
  /** Aborts the sends in flight (they answer "temporary") and refuses new ones. */
  close(): void;
}

/** Longest wait for each step of a conversation with the relay. The outbox's lease must outlast a whole send. */
export const RELAY_TIMEOUTS = { connectionMs: 30_000, greetingMs: 30_000, socketMs: 60_000, dnsMs: 30_000 };

export function smtpRelay(settings: SmtpSettings): MailRelay {
  const options: SMTPTransport.Options = {
    host: settings.host,
    port: settings.port,
    secure: settings.security === "tls",
    requireTLS: settings.security === "starttls",
    ignoreTLS: settings.security === "none",
    connectionTimeout: RELAY_TIMEOUTS.connectionMs,
    greetingTimeout: RELAY_TIMEOUTS.greetingMs,
    socketTimeout: RELAY_TIMEOUTS.socketMs,
    dnsTimeout: RELAY_TIMEOUTS.dnsMs,
    // nodemailer's own logging stays off: its transaction log would hold addresses and the AUTH exchange.
    logger: false,
    debug: false,
    disableFileAccess: true,
    disableUrlAccess: true,
    ...(settings.auth ? { auth: { user: settings.auth.user, pass: settings.auth.password.reveal() } } : {}),
  };
  const transport = nodemailer.createTransport(options);
  const secrets = settings.auth ? [settings.auth.password.reveal(), settings.auth.user] : [];
  const closing = new AbortController();
  return {
    from: settings.from,
    async send(message, envelope) {
      try {
        // `signal` is nodemailer's (its type package does not list it yet): closing aborts the conversation.
        const mail: SMTPTransport.MailOptions & { signal: AbortSignal } = {
          envelope: { from: envelope.from, to: [envelope.to] },
          raw: message,
          signal: closing.signal,
        };
        const info = await transport.sendMail(mail);
        return { kind: "accepted", reply: safeText(info.response, secrets) };
      } catch (e) {
        return classify(e, secrets);
      }
    },
    close: () => {
      closing.abort();
      transport.close();
    },
  };
}

interface SmtpError {
  code?: unknown;
  responseCode?: unknown;
  response?: unknown;
  message?: unknown;
  originalCode?: unknown;
}

/** What a failed send means for the mail, from nodemailer's error (its `code`, `responseCode` and `response`). */
export function classify(e: unknown, secrets: readonly string[] = []): RelayAnswer {
  const err = (typeof e === "object" && e !== null ? e : {}) as SmtpError;
  const code = typeof err.code === "string" ? err.code : "";
  const smtpCode = typeof err.responseCode === "number" ? err.responseCode : null;
  const reply = typeof err.response === "string" ? safeText(err.response, secrets) : "";
  // A refused login or a relay asking for one is the server's settings at fault, not the mail: keep the mail.
  if (code === "EAUTH" || smtpCode === 530)
    return { kind: "temporary", smtpCode, reason: `login refused by the relay${reply ? `: ${reply}` : ""}` };
  if (smtpCode !== null && smtpCode >= 500) return { kind: "permanent", smtpCode, reply };
  if (smtpCode !== null && smtpCode >= 400) return { kind: "temporary", smtpCode, reason: reply };
  // An envelope nodemailer refuses before sending (an address it cannot write): no relay will take it.
  if (code === "EENVELOPE") return { kind: "permanent", smtpCode: null, reply: `${code}: the envelope was refused` };
  // Unreachable, timed out, TLS failed, connection dropped: the relay may be back later.
  const cause = typeof err.originalCode === "string" ? ` (${err.originalCode})` : "";
  const message = typeof err.message === "string" ? safeText(err.message, secrets) : String(e);
  return { kind: "temporary", smtpCode: null, reason: `${code || "error"}${cause}: ${message}` };
}

const ADDRESS = /<?[^\s<>@"']+@[^\s<>@"']+>?/g;

/** A relay's text fit for logs and the audit: one line, addresses masked, the login and password never in it. */
export function safeText(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(/[\r\n]+/g, " ").replace(ADDRESS, "<address>");
  for (const s of secrets) if (s.length > 0) out = out.split(s).join("[redacted]");
  return out.slice(0, 300);
}
