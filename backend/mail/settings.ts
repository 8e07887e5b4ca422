// The SMTP relay the server sends mail through, from `serve`'s options or the environment. The password comes from
// a file (PBX_SMTP_PASSWORD_FILE, --smtp-password-file) or PBX_SMTP_PASSWORD, never from the command line (other
// users see a process's arguments), and it is kept where neither a log line nor an error message can show it.
import { readFileSync } from "node:fs";
import { Recording } from "../../schemas/user.ts";

/**
 * How the connection is protected. `starttls`: plain connection upgraded with STARTTLS, refused when the relay
 * does not offer it (port 587, the default for smtp://). `tls`: TLS from the first byte ("implicit TLS", port
 * 465, the default for smtps://). `none`: no TLS at all (a relay on loopback or a trusted network only).
 */
export type SmtpSecurity = "starttls" | "tls" | "none";

/** A secret that prints, logs and serialises as "[redacted]"; `reveal()` is the only way to its value. */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return "[redacted]";
  }
  toJSON(): string {
    return "[redacted]";
  }
}

export interface SmtpSettings {
  host: string;
  port: number;
  security: SmtpSecurity;
  /** Login, when the relay wants one. */
  auth: { user: string; password: Secret } | null;
  /** The sender address (From and the envelope's MAIL FROM). */
  from: string;
}

/** What `serve` was given; each field falls back to its environment variable. */
export interface SmtpSources {
  url?: string | undefined;
  security?: string | undefined;
  user?: string | undefined;
  passwordFile?: string | undefined;
  from?: string | undefined;
}

export class SmtpSettingsError extends Error {}

const SECURITIES: readonly SmtpSecurity[] = ["starttls", "tls", "none"];

/**
 * The relay's settings, or null when no relay is named (mail then waits in the outbox). Errors name the setting
 * at fault and never quote a password.
 */
export function smtpSettingsFrom(given: SmtpSources, env: NodeJS.ProcessEnv = process.env): SmtpSettings | null {
  const url = given.url ?? env.PBX_SMTP_URL;
  if (url === undefined || url === "") return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SmtpSettingsError("the SMTP URL must look like smtp://host[:port] or smtps://host[:port]");
  }
  if (parsed.protocol !== "smtp:" && parsed.protocol !== "smtps:")
    throw new SmtpSettingsError("the SMTP URL must start with smtp:// or smtps://");
  if (parsed.username !== "" || parsed.password !== "")
    throw new SmtpSettingsError(
      "the SMTP URL must not hold a user or password: set PBX_SMTP_USER (--smtp-user) and PBX_SMTP_PASSWORD_FILE",
    );
  if (parsed.hostname === "") throw new SmtpSettingsError("the SMTP URL names no host");
  const securityText = given.security ?? env.PBX_SMTP_SECURITY ?? (parsed.protocol === "smtps:" ? "tls" : "starttls");
  if (!(SECURITIES as readonly string[]).includes(securityText))
    throw new SmtpSettingsError(`the SMTP security must be one of ${SECURITIES.join(", ")}, got ${securityText}`);
  const security = securityText as SmtpSecurity;
  const port = parsed.port === "" ? (security === "tls" ? 465 : 587) : Number(parsed.port);

  const user = given.user ?? env.PBX_SMTP_USER;
  const passwordFile = given.passwordFile ?? env.PBX_SMTP_PASSWORD_FILE;
  let password: string | undefined;
  if (passwordFile !== undefined && passwordFile !== "") {
    try {
      password = readFileSync(passwordFile, "utf8").replace(/\r?\n$/, "");
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      throw new SmtpSettingsError(`the SMTP password file ${passwordFile} cannot be read (${String(code ?? e)})`);
    }
  } else password = env.PBX_SMTP_PASSWORD;
  if ((user === undefined || user === "") && password !== undefined && password !== "")
    throw new SmtpSettingsError("an SMTP password is set but no user: set PBX_SMTP_USER (--smtp-user)");
  if (user !== undefined && user !== "" && (password === undefined || password === ""))
    throw new SmtpSettingsError(
      "an SMTP user is set but no password: set PBX_SMTP_PASSWORD_FILE (--smtp-password-file) or PBX_SMTP_PASSWORD",
    );

  const from = given.from ?? env.PBX_MAIL_FROM;
  if (from === undefined || from === "")
    throw new SmtpSettingsError("mail needs a sender address: set PBX_MAIL_FROM (--mail-from)");
  const sender = Recording.shape.email.unwrap().safeParse(from);
  if (!sender.success) throw new SmtpSettingsError(`the sender address ${from} is not an email address`);

  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, "$1"),
    port,
    security,
    auth: user !== undefined && user !== "" && password !== undefined ? { user, password: new Secret(password) } : null,
    from: sender.data,
  };
}

/** Where mail goes, for a log line or the ready message: no user, no password. */
export function describeRelay(s: SmtpSettings): { host: string; port: number; security: SmtpSecurity; from: string } {
  return { host: s.host, port: s.port, security: s.security, from: s.from };
}
