import { describe, expect, it } from "vitest";
import { encodeALaw, encodeMuLaw } from "../../test/recording/rtp-stream.ts";
import { decodeALaw, decodeG711, decodeMuLaw, PAYLOAD_TYPE_PCMA, PAYLOAD_TYPE_PCMU } from "./g711.ts";

describe("G.711 decoding", () => {
  it("decodes µ-law codes to the definition's values", () => {
    expect(decodeMuLaw(0xff)).toBe(0);
    expect(decodeMuLaw(0x7f)).toBe(0); // "negative zero"
    expect(decodeMuLaw(0x00)).toBe(-32124);
    expect(decodeMuLaw(0x80)).toBe(32124);
    expect(decodeMuLaw(0xfe)).toBe(8);
    expect(decodeMuLaw(0x7e)).toBe(-8);
    expect(decodeMuLaw(0xef)).toBe(132); // segment 1, mantissa 0
  });

  it("decodes A-law codes to the definition's values", () => {
    expect(decodeALaw(0xd5)).toBe(8);
    expect(decodeALaw(0x55)).toBe(-8);
    expect(decodeALaw(0xaa)).toBe(32256);
    expect(decodeALaw(0x2a)).toBe(-32256);
    expect(decodeALaw(0xc5)).toBe(264); // segment 1, mantissa 0
  });

  it("is monotonic over the codes' magnitudes and symmetric in sign", () => {
    for (const decode of [decodeMuLaw, decodeALaw]) {
      const values = Array.from({ length: 256 }, (_, code) => decode(code));
      const distinct = new Set(values.map(Math.abs));
      expect(distinct.size).toBeGreaterThanOrEqual(127);
      expect(values.filter((v) => v > 0).length).toBe(values.filter((v) => v < 0).length);
    }
  });

  it("round-trips the test encoders within G.711's quantisation step", () => {
    for (let sample = -32000; sample <= 32000; sample += 97) {
      const step = Math.max(16, Math.abs(sample) / 16); // each segment halves the resolution
      expect(Math.abs(decodeMuLaw(encodeMuLaw(sample)) - sample)).toBeLessThanOrEqual(step);
      expect(Math.abs(decodeALaw(encodeALaw(sample)) - sample)).toBeLessThanOrEqual(step);
    }
  });

  it("decodes a payload by its RTP payload type and refuses others", () => {
    expect([...decodeG711(PAYLOAD_TYPE_PCMU, Uint8Array.of(0xff, 0x00))]).toEqual([0, -32124]);
    expect([...decodeG711(PAYLOAD_TYPE_PCMA, Uint8Array.of(0xd5, 0x55))]).toEqual([8, -8]);
    expect(() => decodeG711(13, Uint8Array.of(1))).toThrow(/payload type 13/);
  });
});
