/** Bencode as rtpengine's NG protocol writes and reads it: what our client sends and how it reads answers. */
import { describe, expect, it } from "vitest";
import { bdecode, bencode, BencodeError } from "../../registrar/relay/index.ts";

describe("bencode", () => {
  it("writes strings by byte length, integers, lists and dictionaries with sorted keys", () => {
    expect(bencode({ command: "ping" }).toString()).toBe("d7:command4:pinge");
    expect(bencode({ sdp: "v=0", "call-id": "é@x", flags: ["trust-address"], "delete-delay": 0 }).toString()).toBe(
      "d7:call-id4:é@x12:delete-delayi0e5:flagsl13:trust-addresse3:sdp3:v=0e",
    );
    expect(bencode(-7).toString()).toBe("i-7e");
  });

  it("reads back what it writes", () => {
    const value = { result: "ok", sdp: "v=0\r\nm=audio 30000 RTP/AVP 0\r\n", tags: { a: [1, "b", { c: "é" }] } };

    expect(bdecode(bencode(value))).toEqual(value);
  });

  it("refuses what is not one whole bencoded value", () => {
    for (const broken of ["d6:result2:ok", "4:pin", "i1.5e", "i01e", "d6:resulte", "4:pingX", "l", "x"])
      expect(() => bdecode(Buffer.from(broken)), broken).toThrow(BencodeError);
    expect(() => bencode(1.5)).toThrow(BencodeError);
  });
});
