/** Suites that need the media relay and Kamailio: skipped locally with a message when missing, failing in CI. */
import { describe } from "vitest";
import { findOnPath } from "../../registrar/supervision.ts";

/** describe() that needs rtpengine and Kamailio: skipped when missing, except in CI, which installs them. */
export function describeWithRelay(title: string, body: () => void): void {
  const missing = ["rtpengine", "kamailio"].filter((b) => findOnPath(b) === undefined);
  if (missing.length === 0) {
    describe(title, body);
    return;
  }
  if (process.env.CI === "true") {
    describe(title, () => {
      throw new Error(`${missing.join(" and ")} not installed: CI must run registrar/install-debian.sh`);
    });
    return;
  }
  console.warn(
    `[pbx-estate] skipping ${title}: ${missing.join(" and ")} not installed (bash registrar/install-debian.sh)`,
  );
  describe.skip(`${title} (${missing.join(" and ")} not installed)`, body);
}
