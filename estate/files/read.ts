// Reading one estate file: bounded in size before it is read, and refused unless it is UTF-8 text.
import type { EstateFileRule } from "../../schemas/problem.ts";
import { open } from "node:fs/promises";
import type { EstateFileError } from "./errors.ts";
import { MAX_FILE_BYTES } from "./limits.ts";
import { lineStarts, locationAt } from "./source-map.ts";

export type ReadResult = { ok: true; text: string; bytes: number } | { ok: false; error: EstateFileError };

export async function readEstateFile(file: string, maxBytes: number = MAX_FILE_BYTES): Promise<ReadResult> {
  const refuse = (rule: EstateFileRule, message: string, at: object = {}): ReadResult => ({
    ok: false,
    error: { file, ...at, path: "", rule, message },
  });
  let handle;
  try {
    handle = await open(file, "r");
  } catch (err) {
    return refuse("unreadable", `cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  try {
    const { size } = await handle.stat();
    if (size > maxBytes)
      return refuse("too-large", `is ${size} bytes; an estate file may hold at most ${maxBytes} bytes`);
    // Read one byte past the limit: the file may have grown since stat.
    const buffer = Buffer.alloc(maxBytes + 1);
    const { bytesRead } = await handle.read(buffer, 0, maxBytes + 1, 0);
    if (bytesRead > maxBytes)
      return refuse("too-large", `holds more than ${maxBytes} bytes, the most an estate file may hold`);
    const bytes = buffer.subarray(0, bytesRead);

    const nul = bytes.indexOf(0);
    if (nul >= 0) {
      const before = new TextDecoder("utf-8").decode(bytes.subarray(0, nul));
      return refuse(
        "binary",
        "is binary (holds a NUL byte), not YAML text",
        locationAt(file, lineStarts(before), before.length),
      );
    }
    try {
      // fatal: invalid UTF-8 throws instead of turning into U+FFFD; a leading BOM is dropped.
      return { ok: true, text: new TextDecoder("utf-8", { fatal: true }).decode(bytes), bytes: bytesRead };
    } catch {
      return refuse("encoding", "is not valid UTF-8 text");
    }
  } finally {
    await handle.close();
  }
}
