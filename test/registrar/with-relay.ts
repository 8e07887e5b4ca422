/** Suites that need rtpengine: skipped locally with a message when it is not installed, failing in CI. */
import { describe } from "vitest";
import { findOnPath } from "../../registrar/supervision.ts";

/** describe() that needs rtpengine: skipped when it is not installed, except in CI, which installs it. */
export function describeWithRelay(title: string, body: () => void): void {
  if (findOnPath("rtpengine") !== undefined) {
    describe(title, body);
    return;
  }
  if (process.env.CI === "true") {
    describe(title, () => {
      throw new Error("rtpengine is not installed: CI must run registrar/install-debian.sh");
    });
    return;
  }
  console.warn(`[pbx-estate] skipping ${title}: rtpengine is not installed (bash registrar/install-debian.sh)`);
  describe.skip(`${title} (rtpengine not installed)`, body);
}
