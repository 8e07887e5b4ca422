/** A PBX user: extension, call plan, dialling area, caller ID, recording, and the SIP devices linked to it. */
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import type { CallPlanId } from "../schemas/catalogue.ts";
import type { Recording } from "../schemas/user.ts";
import { pbxInputs, skipPromiseStackTraces } from "./pbx-resource.ts";
import { pbxTypeToken } from "./pbx-type.ts";

/** Recording of outgoing calls: `{ enabled: false }`, or enabled with the `email` they are sent to and a `subject`. */
export type OutboundRecording = z.input<typeof Recording>;

export interface PbxUserArgs {
  name: pulumi.Input<string>;
  /** Internal extension, 2 to 5 digits, unique in the account. */
  extension: pulumi.Input<string>;
  /** The user licence this user holds: a `ServiceSubscription`'s id. */
  licenceId: pulumi.Input<string>;
  /** The licence's call plan; when given it must match (pass the subscription's `callPlan`). */
  callPlan?: pulumi.Input<CallPlanId | undefined>;
  /** Local dialling area prefix added to local numbers, e.g. "020". */
  areaPrefix: pulumi.Input<string>;
  /** Outbound caller ID in E.164, one of the account's numbers. */
  outboundCallerId: pulumi.Input<string>;
  recording?: pulumi.Input<OutboundRecording>;
  /** Ids of the SIP devices linked to this user; order does not matter. */
  deviceIds?: pulumi.Input<pulumi.Input<string>[]>;
  /** Bring an existing user under management instead of creating one. */
  adopt?: pulumi.Input<string>;
}

export class PbxUser extends pulumi.CustomResource {
  declare readonly extension: pulumi.Output<string>;
  declare readonly deviceIds: pulumi.Output<string[]>;

  constructor(name: string, args: PbxUserArgs, opts?: pulumi.CustomResourceOptions) {
    const restoreStackTraces = skipPromiseStackTraces();
    try {
      // Directly under CustomResource, so that the declaring line recorded is the caller's (./pbx-resource.ts).
      // A replacement keeps the extension and the licence, which only one user may hold: the old user goes first.
      super(pbxTypeToken("PbxUser"), name, pbxInputs("user", "PbxUser", name, { ...args }), {
        deleteBeforeReplace: true,
        ...opts,
      });
    } finally {
      restoreStackTraces();
    }
  }
}
