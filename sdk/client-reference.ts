/**
 * The client reference each create carries. The dynamic provider never sees the URN, so the SDK derives
 * the reference from what identifies the resource in the program: project, stack, type and logical
 * name. A create retried after a crash sends the same reference and adopts the object it already made;
 * the provider adds a generation suffix for a forced replacement (see provider/identity.ts).
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

export function clientReferenceFor(type: string, name: string): string {
  const identity = `${pulumi.getProject()}/${pulumi.getStack()}/${type}/${name}`;
  const digest = createHash("sha256").update(identity).digest("hex").slice(0, 20);
  const readable = name.replace(/[^A-Za-z0-9._-]+/g, "-").slice(0, 40);
  return `pbx:${readable}.${digest}`;
}
