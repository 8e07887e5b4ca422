import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { newSipCredentials, newToken, passwordFingerprint } from "./ids.ts";

describe("SIP credentials", () => {
  it("computes HA1 as md5(username:realm:password) for the realm it is given", () => {
    const c = newSipCredentials("pbx-estate");
    expect(c.ha1).toBe(createHash("md5").update(`${c.sipUsername}:pbx-estate:${c.sipPassword}`).digest("hex"));
    expect(c.fingerprint).toBe(passwordFingerprint(c.sipPassword));
  });
  it("makes passwords of at least 20 characters and distinct usernames", () => {
    const a = newSipCredentials("r");
    const b = newSipCredentials("r");
    expect(a.sipPassword.length).toBeGreaterThanOrEqual(20);
    expect(a.sipUsername).not.toBe(b.sipUsername);
    expect(a.sipUsername).toMatch(/^[A-Za-z0-9._-]{1,64}$/);
  });
  it("keeps the username when rotating", () => {
    expect(newSipCredentials("r", "s123").sipUsername).toBe("s123");
  });
});

describe("tokens", () => {
  it("carry 256 random bits", () => {
    const t = newToken();
    expect(Buffer.from(t.slice("pbx_".length), "base64url")).toHaveLength(32);
  });
});
