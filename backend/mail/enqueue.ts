// enqueueMail: "this mail must be sent", as a row of the mail outbox. Callers run it in the transaction of whatever
// made the mail due (a call's recording finished, a call went unrecorded), so that either both commit or neither.
import { hostname } from "node:os";
import { isAbsolute } from "node:path";
import { z } from "zod";
import { Recording } from "../../schemas/user.ts";
import { checkText, lineText } from "../../schemas/text.ts";
import { newId } from "../ids.ts";
import type { Db, Tx } from "../store/schema.ts";

/** A mail to enqueue. The recipient and subject follow the user's recording settings' rules. */
export const OutgoingMail = z
  .object({
    accountId: z.string().min(1),
    to: Recording.shape.email.unwrap(),
    subject: Recording.shape.subject.unwrap(),
    text: z.string().max(100_000).superRefine(checkText("lines")),
    attachment: z
      .object({
        /** The file sent as the attachment (a recording), read at each attempt; the row keeps only its path. */
        path: z.string().refine(isAbsolute, "must be an absolute path"),
        name: lineText(200),
        contentType: z.string().regex(/^[a-z]+\/[a-z0-9.+-]+$/, "must be a MIME type such as audio/wav"),
        /** Keep the file after delivery (a retention period is configured); by default it is removed. */
        keep: z.boolean().default(false),
      })
      .strict()
      .optional(),
    /**
     * What made the mail due, unique among mails (a recorded call's part, a "not recorded" event): a second
     * enqueue with the same key fails on the unique index instead of mailing twice. See `hasMailFor`.
     */
    sourceKey: z.string().min(1).max(300).optional(),
  })
  .strict();
export type OutgoingMail = z.input<typeof OutgoingMail>;

/** The right-hand side of the Message-IDs this process makes: its host name when that is a domain-like name. */
function messageIdDomain(): string {
  const host = hostname().toLowerCase();
  return /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(host) ? host : "pbx-estate.localdomain";
}

/**
 * Inserts the mail and answers its id. Its Message-ID is chosen here and sent unchanged on every attempt, so the
 * one possible duplicate (a process dying between the relay's acceptance and the outbox's commit) carries the
 * same Message-ID as the first copy.
 */
export async function enqueueMail(db: Db | Tx, input: OutgoingMail): Promise<string> {
  const mail = OutgoingMail.parse(input);
  const id = newId("mail");
  await db
    .insertInto("mail_outbox")
    .values({
      id,
      account_id: mail.accountId,
      message_id: `<${id}@${messageIdDomain()}>`,
      recipient: mail.to,
      subject: mail.subject,
      body_text: mail.text,
      attachment_path: mail.attachment?.path ?? null,
      attachment_name: mail.attachment?.name ?? null,
      attachment_content_type: mail.attachment?.contentType ?? null,
      remove_attachment: !(mail.attachment?.keep ?? false),
      source_key: mail.sourceKey ?? null,
    })
    .execute();
  return id;
}

/** Whether a mail was enqueued under this source key (whatever became of it since). */
export async function hasMailFor(db: Db | Tx, sourceKey: string): Promise<boolean> {
  const row = await db.selectFrom("mail_outbox").select("id").where("source_key", "=", sourceKey).executeTakeFirst();
  return row !== undefined;
}
