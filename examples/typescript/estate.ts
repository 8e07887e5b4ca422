/**
 * A small office declared with the SDK directly: John (the seed article's user) with a desk phone and a
 * softphone on one user licence, outbound calls recorded to an email; and Priya at reception.
 * `npm start` applies this estate to the embedded backend; a Pulumi program can call it as it is.
 */
import * as pulumi from "@pulumi/pulumi";
import { PbxUser, ServiceSubscription, SipDevice } from "pbx-estate";

export interface SmallOfficeOptions {
  /** The service terms version the orders accept (the backend's catalogue names the current one). */
  termsVersion: string;
  /** Two of the account's numbers, used as outbound caller IDs. */
  callerIds: [string, string];
}

export function smallOffice(options: SmallOfficeOptions) {
  const terms = { termsVersion: options.termsVersion };
  const licence = (name: string, callPlan?: "national-unlimited" | "international") =>
    new ServiceSubscription(
      name,
      callPlan ? { product: "user-licence", callPlan, ...terms } : { product: "sip-device-licence", ...terms },
    );

  const johnLicence = licence("john-licence", "national-unlimited");
  const deskPhone = new SipDevice("john-desk-phone", {
    name: "John's Desk Phone",
    licenceId: licence("john-desk-phone-licence").id,
  });
  const softphone = new SipDevice("john-softphone", {
    name: "John's Softphone",
    licenceId: licence("john-softphone-licence").id,
  });
  const john = new PbxUser("john", {
    name: "John Smith",
    extension: "201",
    licenceId: johnLicence.id,
    callPlan: johnLicence.callPlan,
    areaPrefix: "020",
    outboundCallerId: options.callerIds[0],
    recording: { enabled: true, email: "call-recordings@example.com", subject: "Outbound call: John Smith" },
    deviceIds: [deskPhone.id, softphone.id],
  });

  const priyaLicence = licence("priya-licence", "international");
  const reception = new SipDevice("reception-phone", {
    name: "Reception Phone",
    licenceId: licence("reception-phone-licence").id,
  });
  const priya = new PbxUser("priya", {
    name: "Priya Patel",
    extension: "200",
    licenceId: priyaLicence.id,
    callPlan: priyaLicence.callPlan,
    areaPrefix: "020",
    outboundCallerId: options.callerIds[1],
    deviceIds: [reception.id],
  });

  return {
    users: { john: john.extension, priya: priya.extension },
    devices: pulumi.all([deskPhone.sipUsername, softphone.sipUsername, reception.sipUsername]),
  };
}
