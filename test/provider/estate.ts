/** The seed's estate as a program: John with a desk phone and a softphone, plus Jane, for the suites to vary. */
import { PbxUser, ServiceSubscription, SipDevice } from "../../sdk/index.ts";
import type { PbxUserArgs } from "../../sdk/index.ts";
import { NUMBERS, TERMS } from "./harness.ts";

export interface JohnOptions {
  callerId?: string;
  callPlan?: "pay-as-you-go" | "national-unlimited" | "international";
  deskName?: string;
  johnExtension?: string;
  janeExtension?: string;
  /** Which user the softphone is linked to. */
  softphoneUser?: "john" | "jane";
  removal?: "end-of-month" | "immediately";
  rotation?: string;
  withJane?: boolean;
}

export interface JohnEstate {
  licences: Record<string, ServiceSubscription>;
  desk: SipDevice;
  soft: SipDevice;
  john: PbxUser;
  jane?: PbxUser;
}

export function johnEstate(o: JohnOptions = {}): JohnEstate {
  const removal = o.removal ?? "end-of-month";
  const licence = (
    name: string,
    args: Omit<ConstructorParameters<typeof ServiceSubscription>[1], "termsVersion" | "removal">,
  ) => new ServiceSubscription(name, { ...args, termsVersion: TERMS, removal });
  const licences: Record<string, ServiceSubscription> = {
    john: licence("john-licence", { product: "user-licence", callPlan: o.callPlan ?? "national-unlimited" }),
    desk: licence("john-desk-licence", { product: "sip-device-licence" }),
    soft: licence("john-softphone-licence", { product: "sip-device-licence" }),
  };
  const desk = new SipDevice("john-desk", {
    name: o.deskName ?? "John's Desk Phone",
    licenceId: licences.desk!.id,
    ...(o.rotation ? { rotation: o.rotation } : {}),
  });
  const soft = new SipDevice("john-softphone", { name: "John's Softphone", licenceId: licences.soft!.id });
  const softOnJohn = (o.softphoneUser ?? "john") === "john";
  const user = (name: string, args: Omit<PbxUserArgs, "areaPrefix">) =>
    new PbxUser(name, { areaPrefix: "020", ...args });
  const john = user("john", {
    name: "John Smith",
    extension: o.johnExtension ?? "201",
    licenceId: licences.john!.id,
    callPlan: licences.john!.callPlan,
    outboundCallerId: o.callerId ?? NUMBERS[0]!,
    recording: { enabled: true, email: "recordings@acme.example", subject: "John's outbound calls" },
    deviceIds: softOnJohn ? [desk.id, soft.id] : [desk.id],
  });
  let jane: PbxUser | undefined;
  if (o.withJane) {
    licences.jane = licence("jane-licence", { product: "user-licence", callPlan: "national-unlimited" });
    jane = user("jane", {
      name: "Jane Doe",
      extension: o.janeExtension ?? "202",
      licenceId: licences.jane.id,
      outboundCallerId: NUMBERS[1]!,
      deviceIds: softOnJohn ? [] : [soft.id],
    });
  }
  return { licences, desk, soft, john, ...(jane ? { jane } : {}) };
}
