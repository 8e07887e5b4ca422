// Builds one outbox row into the message the relay receives (MIME, by nodemailer's composer): the same
// Message-ID on every attempt, the text body, and the attachment read from its file at this attempt.
import MailComposer from "nodemailer/lib/mail-composer";
import type { MailRow } from "./store.ts";

/** The attachment's file cannot be read: no attempt can send this mail. */
export class AttachmentUnreadableError extends Error {
  readonly code: string;
  constructor(code: string) {
    super(`the attachment's file cannot be read (${code})`);
    this.name = "AttachmentUnreadableError";
    this.code = code;
  }
}

export async function composeMail(row: MailRow, from: string): Promise<Buffer> {
  const node = new MailComposer({
    from,
    to: row.recipient,
    subject: row.subject,
    text: row.body_text,
    messageId: row.message_id,
    // The Date header is the row's creation: when the mail became due, whichever attempt delivers it.
    date: row.created_at,
    attachments:
      row.attachment_path !== null
        ? [
            {
              path: row.attachment_path,
              filename: row.attachment_name ?? "attachment",
              contentType: row.attachment_content_type ?? "application/octet-stream",
            },
          ]
        : [],
  }).compile();
  try {
    return await node.build();
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (row.attachment_path !== null && typeof code === "string" && /^E[A-Z]+$/.test(code))
      throw new AttachmentUnreadableError(code);
    throw e;
  }
}
