import { describe, expect, it } from "vitest";
import { resourceNameOf } from "./references.ts";

describe("resourceNameOf", () => {
  it("reads the logical name out of a client reference, a later generation's included, and nothing out of anything else", () => {
    expect(resourceNameOf("pbx:06c0a88f:device-john-desk-phone-licence.156598045972ead52200")).toBe(
      "device-john-desk-phone-licence",
    );
    expect(resourceNameOf("pbx:06c0a88f:john.desk.156598045972ead52200/g2")).toBe("john.desk");
    expect(resourceNameOf("made-in-the-portal")).toBeUndefined();
    expect(resourceNameOf("pbx:06c0a88f:john")).toBeUndefined();
    expect(resourceNameOf(undefined)).toBeUndefined();
  });
});
