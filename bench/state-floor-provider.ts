// The state floor's dynamic provider (see estate.ts): no I/O at all, but what it records has the shape of
// our provider's state — the same input and output fields, with values of like size — so that the engine
// and the plugin convert as much per resource as they do for ours. Loaded by path by its shim.
import { randomBytes } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { keepShortLivedObjectsYoung } from "../provider/plugin-gc.ts";

// The plugin setting our provider makes when it loads, so that the two differ in what they do, not in how V8 collects.
keepShortLivedObjectsYoung();

type Kind = "subscription" | "device" | "user";
type Props = Record<string, unknown>;

const hex = (n: number) => randomBytes(n).toString("hex").slice(0, n);
const kindOf = (p: Props): Kind => ("product" in p ? "subscription" : "extension" in p ? "user" : "device");

/** Outputs beyond the inputs, as our hooks record them (defaults and empty values left out). */
const liveExtras: Record<Kind, () => Props> = {
  subscription: () => ({
    accountId: `acc_${hex(20)}`,
    status: "active",
    priceMinor: 1300,
    currency: "GBP",
    version: 1,
    claimedFromPending: false,
  }),
  device: () => ({
    accountId: `acc_${hex(20)}`,
    sipUsername: `s${hex(24)}`,
    sipPassword: hex(24),
    passwordFingerprint: `sha256:${hex(16)}`,
    registrar: { host: "sip.pbx-estate.test", port: 5061, transport: "tls" },
    version: 1,
  }),
  user: () => ({ accountId: `acc_${hex(20)}`, callPlan: "national-unlimited", version: 1 }),
};

export const handler = (): pulumi.dynamic.ResourceProvider<Props, Props> => ({
  check: async (olds, news) => {
    const clientReference = (olds as Props | undefined)?.clientReference ?? `pbx:${hex(8)}:${hex(12)}.${hex(20)}`;
    // As our `check` hands them on: the declared inputs and a client reference (defaults are left out).
    return { inputs: { ...news, clientReference } };
  },
  diff: async () => ({ changes: false }),
  create: async (inputs) => {
    const outs = { ...inputs, ...liveExtras[kindOf(inputs)]() };
    return { id: `${hex(3)}_${hex(20)}`, outs };
  },
  read: async (id, props) => ({ id, ...(props ? { props } : {}) }),
  update: async (_id, _olds, news) => ({ outs: news }),
  delete: async () => {},
});
