/**
 * The estate the frozen stack (stack.json) declares: one licence, device and user of each kind, with a
 * call plan, a recording and a device link, so each kind's recorded inputs and outputs are in it. Kept
 * apart from the other suites' estates: the frozen stack must be declared exactly as it was written.
 */
import { PbxUser, ServiceSubscription, SipDevice } from "../../../sdk/index.ts";
import { NUMBERS, TERMS } from "../harness.ts";

/** `deskName` lets a test change one field after the frozen stack is imported; its default is the frozen one. */
export function frozenEstate({ deskName = "Ada's Desk Phone" }: { deskName?: string } = {}): void {
  const userLicence = new ServiceSubscription("ada-licence", {
    product: "user-licence",
    callPlan: "national-unlimited",
    termsVersion: TERMS,
  });
  const deskLicence = new ServiceSubscription("ada-desk-licence", {
    product: "sip-device-licence",
    termsVersion: TERMS,
  });
  const desk = new SipDevice("ada-desk", { name: deskName, licenceId: deskLicence.id });
  new PbxUser("ada", {
    name: "Ada Lovelace",
    extension: "301",
    licenceId: userLicence.id,
    callPlan: userLicence.callPlan,
    areaPrefix: "020",
    outboundCallerId: NUMBERS[0]!,
    recording: { enabled: true, email: "recordings@acme.example", subject: "Ada's outbound calls" },
    deviceIds: [desk.id],
  });
}
