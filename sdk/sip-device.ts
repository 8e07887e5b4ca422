/** A SIP device ("John's Desk Phone") with generated SIP credentials, holding one SIP-device licence. */
import * as pulumi from "@pulumi/pulumi";
import type { Registrar } from "../schemas/device.ts";
import { pbxInputs, skipPromiseStackTraces } from "./pbx-resource.ts";
import { pbxTypeToken } from "./pbx-type.ts";

export type { Registrar };

export interface SipDeviceArgs {
  name: pulumi.Input<string>;
  /** The SIP-device licence this device holds: a `ServiceSubscription`'s id. */
  licenceId: pulumi.Input<string>;
  /** Change this value (any string, e.g. a date) to rotate the SIP password in place. */
  rotation?: pulumi.Input<string>;
  /** Bring an existing device under management; its password stays unknown until the next rotation. */
  adopt?: pulumi.Input<string>;
}

export class SipDevice extends pulumi.CustomResource {
  declare readonly sipUsername: pulumi.Output<string>;
  /** Secret. Known from creation or the last rotation; empty for an adopted device until it is rotated. */
  declare readonly sipPassword: pulumi.Output<string>;
  declare readonly passwordFingerprint: pulumi.Output<string>;
  declare readonly registrar: pulumi.Output<Registrar>;

  constructor(name: string, args: SipDeviceArgs, opts?: pulumi.CustomResourceOptions) {
    const outputs = {
      sipUsername: undefined,
      sipPassword: undefined,
      passwordFingerprint: undefined,
      registrar: undefined,
    };
    const restoreStackTraces = skipPromiseStackTraces();
    try {
      // Directly under CustomResource, so that the declaring line recorded is the caller's (./pbx-resource.ts).
      super(pbxTypeToken("SipDevice"), name, pbxInputs("device", "SipDevice", name, { ...args, ...outputs }), {
        // A replacement keeps the licence, which only one device may hold: the old device goes first.
        deleteBeforeReplace: true,
        ...opts,
        additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "sipPassword"],
      });
    } finally {
      restoreStackTraces();
    }
  }
}
