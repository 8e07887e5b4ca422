/**
 * Test support: finding tones in decoded audio with the Goertzel algorithm (the power of one frequency in a
 * window), so a test can say "440 Hz is heard from 0.1 s to 0.9 s and nowhere else".
 */
export type ToneOptions = { sampleRate?: number; windowMs?: number; minShare?: number; minAmplitude?: number };

/** Amplitude of `frequency` in samples[from, to) and the share of the window's energy it carries (0–1). */
export function toneLevel(
  samples: Int16Array,
  frequency: number,
  from: number,
  to: number,
  sampleRate = 8000,
): { amplitude: number; share: number } {
  const n = Math.max(0, Math.min(to, samples.length) - Math.max(from, 0));
  if (n === 0) return { amplitude: 0, share: 0 };
  const coefficient = 2 * Math.cos((2 * Math.PI * frequency) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  let energy = 0;
  for (let i = Math.max(from, 0); i < Math.max(from, 0) + n; i++) {
    const x = samples[i]!;
    energy += x * x;
    const s0 = x + coefficient * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
  const amplitude = (2 * Math.sqrt(Math.max(power, 0))) / n;
  const meanSquare = energy / n;
  return { amplitude, share: meanSquare === 0 ? 0 : Math.min(1, (amplitude * amplitude) / 2 / meanSquare) };
}

/** Whether `frequency` is clearly present in the seconds [fromS, toS). */
export function hasTone(
  samples: Int16Array,
  frequency: number,
  fromS: number,
  toS: number,
  o: ToneOptions = {},
): boolean {
  const { sampleRate = 8000, minShare = 0.2, minAmplitude = 200 } = o;
  const level = toneLevel(samples, frequency, Math.round(fromS * sampleRate), Math.round(toS * sampleRate), sampleRate);
  return level.share >= minShare && level.amplitude >= minAmplitude;
}

/** The stretches [startS, endS) in which `frequency` is present, window by window (default 50 ms). */
export function toneSpans(samples: Int16Array, frequency: number, o: ToneOptions = {}): [number, number][] {
  const { sampleRate = 8000, windowMs = 50 } = o;
  const window = Math.round((windowMs * sampleRate) / 1000);
  const spans: [number, number][] = [];
  for (let from = 0; from + window <= samples.length; from += window) {
    if (!hasTone(samples, frequency, from / sampleRate, (from + window) / sampleRate, o)) continue;
    const last = spans.at(-1);
    if (last && last[1] === from / sampleRate) last[1] = (from + window) / sampleRate;
    else spans.push([from / sampleRate, (from + window) / sampleRate]);
  }
  return spans;
}
