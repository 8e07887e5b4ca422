/**
 * Bencode, the encoding of rtpengine's NG control protocol: byte strings (`4:ping`), integers (`i42e`),
 * lists (`l…e`) and dictionaries with sorted keys (`d…e`). Strings are UTF-8 here (SDP is ASCII).
 */

export type Bencode = string | number | Bencode[] | { [key: string]: Bencode };
export type BencodeDict = { [key: string]: Bencode };

export class BencodeError extends Error {
  override name = "BencodeError";
}

export function bencode(value: Bencode): Buffer {
  const parts: Buffer[] = [];
  const put = (v: Bencode): void => {
    if (typeof v === "string") {
      const bytes = Buffer.from(v, "utf8");
      parts.push(Buffer.from(`${bytes.length}:`), bytes);
    } else if (typeof v === "number") {
      if (!Number.isSafeInteger(v)) throw new BencodeError(`bencode has integers only, not ${v}`);
      parts.push(Buffer.from(`i${v}e`));
    } else if (Array.isArray(v)) {
      parts.push(Buffer.from("l"));
      v.forEach(put);
      parts.push(Buffer.from("e"));
    } else {
      parts.push(Buffer.from("d"));
      // Keys are sorted as raw bytes.
      const keys = Object.keys(v).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      for (const key of keys) {
        const item = v[key];
        if (item === undefined) continue;
        put(key);
        put(item);
      }
      parts.push(Buffer.from("e"));
    }
  };
  put(value);
  return Buffer.concat(parts);
}

/** Decodes one value filling all of `data` (throws `BencodeError` on anything else). */
export function bdecode(data: Buffer): Bencode {
  let at = 0;
  const fail = (why: string): never => {
    throw new BencodeError(`malformed bencode at byte ${at}: ${why}`);
  };
  const digitsUntil = (end: string): string => {
    const stop = data.indexOf(end, at);
    if (stop < 0) fail(`no "${end}"`);
    const text = data.toString("latin1", at, stop);
    if (!/^(0|-?[1-9]\d*)$/.test(text)) fail(`bad number "${text}"`);
    at = stop + 1;
    return text;
  };
  const readString = (): string => {
    const length = Number(digitsUntil(":"));
    if (length < 0 || at + length > data.length) fail("string runs past the end");
    const text = data.toString("utf8", at, at + length);
    at += length;
    return text;
  };
  const read = (): Bencode => {
    const tag = data[at];
    if (tag === undefined) return fail("unexpected end");
    if (tag === 0x69 /* i */) {
      at += 1;
      const n = Number(digitsUntil("e"));
      if (!Number.isSafeInteger(n)) fail("integer too large");
      return n;
    }
    if (tag === 0x6c /* l */) {
      at += 1;
      const list: Bencode[] = [];
      while (data[at] !== 0x65 /* e */) list.push(read());
      at += 1;
      return list;
    }
    if (tag === 0x64 /* d */) {
      at += 1;
      const dict: BencodeDict = {};
      while (data[at] !== 0x65 /* e */) {
        if (data[at] === undefined) fail("unexpected end");
        const key = readString();
        dict[key] = read();
      }
      at += 1;
      return dict;
    }
    if (tag >= 0x30 && tag <= 0x39) return readString();
    return fail(`unexpected "${String.fromCharCode(tag)}"`);
  };
  const value = read();
  if (at !== data.length) fail("trailing bytes");
  return value;
}
