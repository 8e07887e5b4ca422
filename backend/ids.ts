// Identifiers, tokens and SIP credentials, all from the CSPRNG.
import { createHash, randomBytes, randomInt } from "node:crypto";

const alphabet = "abcdefghijklmnopqrstuvwxyz234567";

function base32(bytes: Buffer): string {
  let out = "";
  for (const b of bytes) out += alphabet[b & 31];
  return out;
}

/** A new object id: `<prefix>_` and 20 random base32 characters (100 bits). */
export function newId(prefix: string): string {
  return `${prefix}_${base32(randomBytes(20))}`;
}

/** A new API token: 256 random bits, base64url. */
export function newToken(): string {
  return `pbx_${randomBytes(32).toString("base64url")}`;
}

export function sha256Hex(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

const passwordAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

/** SIP credentials: a username unique across accounts (96 random bits) and a 24-character password. */
export function newSipCredentials(
  realm: string,
  sipUsername = `s${randomBytes(12).toString("hex")}`,
): { sipUsername: string; sipPassword: string; ha1: string; fingerprint: string } {
  let sipPassword = "";
  for (let i = 0; i < 24; i++) sipPassword += passwordAlphabet[randomInt(passwordAlphabet.length)];
  // HA1 = MD5(username:realm:password) is what a SIP registrar stores for digest authentication.
  const ha1 = createHash("md5").update(`${sipUsername}:${realm}:${sipPassword}`).digest("hex");
  return { sipUsername, sipPassword, ha1, fingerprint: passwordFingerprint(sipPassword) };
}

export function passwordFingerprint(password: string): string {
  return `sha256:${sha256Hex(password).slice(0, 16)}`;
}
