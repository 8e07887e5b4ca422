/**
 * 16-bit PCM mono WAV (RIFF) files, and a cut of one recording into consecutive WAV files of at most a given
 * size each (mail relays refuse large attachments: an hour at 8 kHz is about 58 MB).
 */
import { endianness } from "node:os";

export const WAV_HEADER_BYTES = 44;
/** WAV samples are little-endian: on such a host the samples' memory is the file's data as it is. */
const LITTLE_ENDIAN_HOST = endianness() === "LE";
const BYTES_PER_SAMPLE = 2;

export function wavFile(samples: Int16Array, sampleRate: number): Buffer {
  const dataBytes = samples.length * BYTES_PER_SAMPLE;
  const file = Buffer.alloc(WAV_HEADER_BYTES + dataBytes);
  file.write("RIFF", 0, "ascii");
  file.writeUInt32LE(WAV_HEADER_BYTES - 8 + dataBytes, 4);
  file.write("WAVE", 8, "ascii");
  file.write("fmt ", 12, "ascii");
  file.writeUInt32LE(16, 16); // the PCM format chunk's size
  file.writeUInt16LE(1, 20); // PCM
  file.writeUInt16LE(1, 22); // mono
  file.writeUInt32LE(sampleRate, 24);
  file.writeUInt32LE(sampleRate * BYTES_PER_SAMPLE, 28); // bytes per second
  file.writeUInt16LE(BYTES_PER_SAMPLE, 32); // bytes per frame
  file.writeUInt16LE(BYTES_PER_SAMPLE * 8, 34);
  file.write("data", 36, "ascii");
  file.writeUInt32LE(dataBytes, 40);
  if (LITTLE_ENDIAN_HOST) {
    file.set(new Uint8Array(samples.buffer, samples.byteOffset, dataBytes), WAV_HEADER_BYTES);
  } else {
    for (let i = 0; i < samples.length; i++) file.writeInt16LE(samples[i]!, WAV_HEADER_BYTES + i * BYTES_PER_SAMPLE);
  }
  return file;
}

/** The size of the WAV file of `sampleCount` samples. */
export function wavBytes(sampleCount: number): number {
  return WAV_HEADER_BYTES + sampleCount * BYTES_PER_SAMPLE;
}

/**
 * `samples` as consecutive WAV files of at most `maxBytes` each, in order (one file when it fits, and one
 * empty file for no samples).
 */
export function wavParts(samples: Int16Array, sampleRate: number, maxBytes: number): Buffer[] {
  const samplesPerPart = Math.floor((maxBytes - WAV_HEADER_BYTES) / BYTES_PER_SAMPLE);
  if (!(samplesPerPart >= 1)) {
    throw new RangeError(`a WAV part of at most ${maxBytes} bytes cannot hold a sample (header: ${WAV_HEADER_BYTES})`);
  }
  const parts: Buffer[] = [];
  for (let from = 0; from < samples.length || parts.length === 0; from += samplesPerPart) {
    parts.push(wavFile(samples.subarray(from, from + samplesPerPart), sampleRate));
  }
  return parts;
}
