import { describe, expect, it } from "vitest";
import { readWav } from "../../test/recording/wav-reader.ts";
import { WAV_HEADER_BYTES, wavBytes, wavFile, wavParts } from "./wav.ts";

describe("WAV writing", () => {
  it("writes a 16-bit mono PCM file a reader plays back sample for sample", () => {
    const samples = Int16Array.of(0, 1, -1, 32767, -32768, 1234);
    const wav = readWav(wavFile(samples, 8000));
    expect(wav).toMatchObject({ sampleRate: 8000, channels: 1, bitsPerSample: 16 });
    expect([...wav.samples]).toEqual([...samples]);
    expect(wav.durationSeconds).toBeCloseTo(6 / 8000, 9);
  });

  it("says an hour at 8 kHz is about 58 MB", () => {
    expect(wavBytes(3600 * 8000)).toBe(57_600_044);
  });

  it("cuts a recording into consecutive WAV files of at most the given size", () => {
    const samples = Int16Array.from({ length: 1001 }, (_, i) => i - 500);
    const maxBytes = WAV_HEADER_BYTES + 2 * 300;
    const parts = wavParts(samples, 8000, maxBytes);
    expect(parts.map((p) => p.length)).toEqual([maxBytes, maxBytes, maxBytes, WAV_HEADER_BYTES + 2 * 101]);
    const joined = parts.flatMap((p) => [...readWav(p).samples]);
    expect(joined).toEqual([...samples]);
    expect(wavParts(samples, 8000, 10_000)).toHaveLength(1);
    expect(wavParts(new Int16Array(0), 8000, 10_000).map((p) => readWav(p).samples.length)).toEqual([0]);
    expect(() => wavParts(samples, 8000, WAV_HEADER_BYTES + 1)).toThrow(RangeError);
  });
});
