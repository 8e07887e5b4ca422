// Where mail goes when no SMTP relay is configured: a real SMTP server (smtp-server, a dev dependency, as the demo
// and the benchmarks run from a clone, never from the installed package) on a free loopback port, which accepts
// every message and writes it as an .eml file, 0600 in a 0700 folder (recorded calls are private). A message is
// accepted only once its file is written, so the mail outbox sends it again if the write fails.
import { mkdirSync } from "node:fs";
import { rename, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { SMTPServer } from "smtp-server";
import type { SmtpSettings } from "../backend/mail/settings.ts";
import { makePrivate } from "../runtime/private-files.ts";

/** The sender address the backend uses towards the sink (`.invalid`: it reaches no one). */
export const MAIL_SINK_SENDER = "recordings@pbx-estate.invalid";

export interface MailSink {
  port: number;
  /** Where accepted mails are written. */
  folder: string;
  /** What `startBackend({ mail: { smtp } })` needs to deliver here. */
  smtp: SmtpSettings;
  close(): Promise<void>;
}

export interface MailSinkOptions {
  /** Called once each accepted message's file is written. */
  onAccepted?: (file: string) => void;
}

export async function startMailSink(folder: string, options: MailSinkOptions = {}): Promise<MailSink> {
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  makePrivate(folder); // a folder an earlier run left wider
  let written = 0;
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ["STARTTLS", "AUTH"],
    authOptional: true,
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        written += 1;
        const name = `${new Date().toISOString().replaceAll(":", "-")}-${process.pid}-${written}.eml`;
        const file = join(folder, name);
        // Written under another name first, so whoever watches the folder sees only whole messages.
        const partial = join(folder, `.${name}.partial`);
        writeFile(partial, Buffer.concat(chunks), { mode: 0o600 })
          .then(() => rename(partial, file))
          .then(
            () => {
              callback(null, `saved as ${name}`);
              options.onAccepted?.(file);
            },
            (e: unknown) =>
              callback(Object.assign(new Error(`cannot save the message: ${String(e)}`), { responseCode: 451 })),
          );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  server.on("error", () => undefined); // a client that drops mid-message is the client's problem
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    folder,
    smtp: { host: "127.0.0.1", port, security: "none", auth: null, from: MAIL_SINK_SENDER },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
