// The SMTP settings `serve` reads: what each form means, and errors that name the setting and never a password.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { smtpSettingsFrom, SmtpSettingsError } from "./settings.ts";

const dir = mkdtempSync(join(tmpdir(), "pbx-smtp-settings-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const from = "recordings@example.net";

describe("SMTP settings", () => {
  it("are absent without a relay: mail waits", () => {
    expect(smtpSettingsFrom({}, {})).toBeNull();
  });

  it("default to STARTTLS on 587 for smtp:// and implicit TLS on 465 for smtps://", () => {
    expect(smtpSettingsFrom({ url: "smtp://mail.example.net", from }, {})).toMatchObject({
      host: "mail.example.net",
      port: 587,
      security: "starttls",
      auth: null,
    });
    expect(smtpSettingsFrom({}, { PBX_SMTP_URL: "smtps://mail.example.net", PBX_MAIL_FROM: from })).toMatchObject({
      port: 465,
      security: "tls",
    });
    expect(smtpSettingsFrom({ url: "smtp://127.0.0.1:2525", security: "none", from }, {})).toMatchObject({
      port: 2525,
      security: "none",
    });
  });

  it("read the password from its file, or the environment, and never print it", () => {
    const file = join(dir, "password");
    writeFileSync(file, "file-secret-1\n", { mode: 0o600 });
    const s = smtpSettingsFrom({ url: "smtp://m.example.net", user: "pbx", passwordFile: file, from }, {});
    expect(s?.auth?.password.reveal()).toBe("file-secret-1");
    expect(JSON.stringify(s)).not.toContain("file-secret-1");
    expect(String(s?.auth?.password)).toBe("[redacted]");
    const e = smtpSettingsFrom(
      {},
      {
        PBX_SMTP_URL: "smtp://m.example.net",
        PBX_SMTP_USER: "pbx",
        PBX_SMTP_PASSWORD: "env-secret-2",
        PBX_MAIL_FROM: from,
      },
    );
    expect(e?.auth?.password.reveal()).toBe("env-secret-2");
  });

  it("refuse a URL holding credentials without quoting them, and incomplete settings by name", () => {
    const fail = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(SmtpSettingsError);
        return (e as Error).message;
      }
      throw new Error("accepted");
    };
    const inUrl = fail(() => smtpSettingsFrom({ url: "smtp://pbx:url-secret-3@m.example.net", from }, {}));
    expect(inUrl).toContain("PBX_SMTP_PASSWORD_FILE");
    expect(inUrl).not.toContain("url-secret-3");
    expect(fail(() => smtpSettingsFrom({ url: "smtp://m.example.net" }, {}))).toContain("PBX_MAIL_FROM");
    expect(fail(() => smtpSettingsFrom({ url: "smtp://m.example.net", user: "pbx", from }, {}))).toContain(
      "no password",
    );
    expect(fail(() => smtpSettingsFrom({ url: "http://m.example.net", from }, {}))).toContain("smtp://");
    expect(fail(() => smtpSettingsFrom({ url: "smtp://m.example.net", security: "ssl", from }, {}))).toContain(
      "starttls, tls, none",
    );
  });
});
