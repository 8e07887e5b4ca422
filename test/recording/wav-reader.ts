/** Test support: a RIFF/WAVE reader for 16-bit PCM, to check what the recording pipeline writes. */
export type Wav = {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  samples: Int16Array;
  durationSeconds: number;
};

export function readWav(file: Buffer): Wav {
  if (file.toString("ascii", 0, 4) !== "RIFF" || file.toString("ascii", 8, 12) !== "WAVE") {
    throw new Error("not a RIFF/WAVE file");
  }
  if (file.readUInt32LE(4) !== file.length - 8)
    throw new Error(`RIFF size ${file.readUInt32LE(4)} ≠ ${file.length - 8}`);
  let format: { channels: number; sampleRate: number; bitsPerSample: number } | undefined;
  for (let at = 12; at + 8 <= file.length;) {
    const id = file.toString("ascii", at, at + 4);
    const size = file.readUInt32LE(at + 4);
    const body = file.subarray(at + 8, at + 8 + size);
    if (id === "fmt ") {
      if (body.readUInt16LE(0) !== 1) throw new Error(`WAV format ${body.readUInt16LE(0)} is not PCM`);
      format = {
        channels: body.readUInt16LE(2),
        sampleRate: body.readUInt32LE(4),
        bitsPerSample: body.readUInt16LE(14),
      };
    } else if (id === "data") {
      if (!format) throw new Error("data chunk before fmt chunk");
      if (format.bitsPerSample !== 16) throw new Error(`${format.bitsPerSample}-bit WAV is not supported here`);
      if (body.length !== size) throw new Error(`data chunk of ${size} bytes holds ${body.length}`);
      const samples = new Int16Array(size / 2);
      for (let i = 0; i < samples.length; i++) samples[i] = body.readInt16LE(i * 2);
      return { ...format, samples, durationSeconds: samples.length / format.channels / format.sampleRate };
    }
    at += 8 + size + (size % 2);
  }
  throw new Error("no data chunk");
}
