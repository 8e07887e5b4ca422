// What an SMTP failure means for a mail, and that what is kept of it holds no address or credential.
import { describe, expect, it } from "vitest";
import { classify, safeText } from "./relay.ts";

const smtpError = (fields: Record<string, unknown>) => Object.assign(new Error("x"), fields);

describe("an SMTP answer", () => {
  it("is temporary for 4xx, a relay that is down and a refused login; permanent for 5xx", () => {
    expect(
      classify(smtpError({ code: "EENVELOPE", responseCode: 452, response: "452 4.2.2 Mailbox full" })),
    ).toMatchObject({ kind: "temporary", smtpCode: 452 });
    expect(classify(smtpError({ code: "ECONNECTION", originalCode: "ECONNREFUSED" }))).toMatchObject({
      kind: "temporary",
      smtpCode: null,
    });
    expect(classify(smtpError({ code: "ETIMEDOUT" }))).toMatchObject({ kind: "temporary" });
    expect(
      classify(smtpError({ code: "EAUTH", responseCode: 535, response: "535 5.7.8 Bad credentials" })),
    ).toMatchObject({ kind: "temporary", smtpCode: 535 });
    expect(classify(smtpError({ code: "EENVELOPE", responseCode: 550, response: "550 5.1.1 No such user" }))).toEqual({
      kind: "permanent",
      smtpCode: 550,
      reply: "550 5.1.1 No such user",
    });
  });

  it("keeps the relay's text without addresses, the login or the password", () => {
    expect(safeText("550 5.1.1 <john@example.com>: Recipient address rejected")).toBe(
      "550 5.1.1 <address>: Recipient address rejected",
    );
    expect(safeText("535 login pbx-user with hunter2-pw refused", ["hunter2-pw", "pbx-user"])).toBe(
      "535 login [redacted] with [redacted] refused",
    );
  });
});
