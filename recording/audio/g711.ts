/**
 * G.711 (ITU-T G.711) decoding to 16-bit linear PCM: µ-law (PCMU, RTP payload type 0) and A-law (PCMA, 8).
 * One 8-bit code per sample at 8 kHz; tables built once from the definition's segment formulas.
 */
export const PAYLOAD_TYPE_PCMU = 0;
export const PAYLOAD_TYPE_PCMA = 8;
export const G711_SAMPLE_RATE = 8000;

/** µ-law: codes are sent inverted; magnitude = ((mantissa·8 + 132) << segment) − 132. */
export function decodeMuLaw(code: number): number {
  const inverted = ~code & 0xff;
  const segment = (inverted >> 4) & 0x07;
  const mantissa = inverted & 0x0f;
  const magnitude = (((mantissa << 3) + 0x84) << segment) - 0x84;
  return inverted & 0x80 ? 0 - magnitude || 0 : magnitude; // "|| 0": code 0x7f is 0, not -0
}

/** A-law: even bits are sent inverted (xor 0x55); a set sign bit is positive; segment 0 is linear. */
export function decodeALaw(code: number): number {
  const value = code ^ 0x55;
  const segment = (value >> 4) & 0x07;
  const mantissa = value & 0x0f;
  const magnitude = segment === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (segment - 1);
  return value & 0x80 ? magnitude : -magnitude;
}

const MU_LAW_TABLE = Int16Array.from({ length: 256 }, (_, code) => decodeMuLaw(code));
const A_LAW_TABLE = Int16Array.from({ length: 256 }, (_, code) => decodeALaw(code));

/** Whether `decodeG711` decodes this RTP payload type. */
export function isG711(payloadType: number): boolean {
  return payloadType === PAYLOAD_TYPE_PCMU || payloadType === PAYLOAD_TYPE_PCMA;
}

/** Writes the decoded samples of a PCMU or PCMA payload into `out` from `at` (codes past its end dropped). */
export function decodeG711Into(payloadType: number, payload: Uint8Array, out: Int16Array, at: number): void {
  const table =
    payloadType === PAYLOAD_TYPE_PCMU ? MU_LAW_TABLE : payloadType === PAYLOAD_TYPE_PCMA ? A_LAW_TABLE : null;
  if (!table) throw new Error(`RTP payload type ${payloadType} is not G.711`);
  const from = Math.max(0, -at);
  const to = Math.min(payload.byteLength, out.length - at);
  for (let i = from; i < to; i++) out[at + i] = table[payload[i]!]!;
}

export function decodeG711(payloadType: number, payload: Uint8Array): Int16Array {
  const out = new Int16Array(payload.byteLength);
  decodeG711Into(payloadType, payload, out, 0);
  return out;
}
