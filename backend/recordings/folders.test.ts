// The relay's call names: the Call-ID a lost call's metadata is looked up by in the registrar.
import { describe, expect, it } from "vitest";
import { callIdOf } from "./folders.ts";

describe("a relay call's name", () => {
  it("gives back the Call-ID it was made from", () => {
    expect(callIdOf("a%40b-0123456789abcdef")).toBe("a@b");
    expect(callIdOf("1-2345%40127.0.0.1-c5a10a150c6e88ba")).toBe("1-2345@127.0.0.1");
  });

  it("is null for names the relay does not make", () => {
    expect(callIdOf("no-suffix")).toBeNull();
    expect(callIdOf("bad%zz-0123456789abcdef")).toBeNull();
  });
});
