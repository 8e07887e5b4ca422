// A platform team's Pulumi program, as they would write it in their own repository: the seed article's
// John with a desk phone and a softphone, each on its own licence, outbound calls recorded to an email.
import * as pulumi from "@pulumi/pulumi";
import { PbxUser, ServiceSubscription, SipDevice } from "pbx-estate";

export function john() {
  const config = new pulumi.Config();
  const terms = { termsVersion: config.require("termsVersion") };

  const licence = new ServiceSubscription("john-licence", { product: "user-licence", callPlan: "national-unlimited", ...terms });
  const deskPhone = new SipDevice("john-desk-phone", {
    name: "John's Desk Phone",
    licenceId: new ServiceSubscription("john-desk-phone-licence", { product: "sip-device-licence", ...terms }).id,
  });
  const softphone = new SipDevice("john-softphone", {
    name: "John's Softphone",
    licenceId: new ServiceSubscription("john-softphone-licence", { product: "sip-device-licence", ...terms }).id,
  });
  const user = new PbxUser("john", {
    name: "John Smith",
    extension: config.require("extension"),
    licenceId: licence.id,
    callPlan: licence.callPlan,
    areaPrefix: "020",
    outboundCallerId: config.require("callerId"),
    recording: { enabled: true, email: "call-recordings@example.com", subject: "Outbound call: John Smith" },
    deviceIds: [deskPhone.id, softphone.id],
  });

  return { userId: user.id, extension: user.extension, sipUsernames: pulumi.all([deskPhone.sipUsername, softphone.sipUsername]) };
}
