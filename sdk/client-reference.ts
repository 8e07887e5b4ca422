/**
 * The client reference each create carries. The dynamic provider never sees the URN, so the SDK derives
 * the reference from what identifies the resource in the program: project, stack, type and logical
 * name. A create retried after a crash sends the same reference and adopts the object it already made;
 * the provider adds a generation suffix for a forced replacement (see provider/identity.ts).
 */
import { createHash } from "node:crypto";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/**
 * `pbx:<stack>:<name>.<digest>`: the stack part lets the provider list everything the stack made in one
 * call (provider/references.ts); the digest of project, stack, type and name is the identity. The SDK's
 * resources take it in their program (sdk/pbx-resource.ts), the CLI's read path outside one.
 */
export function clientReferenceIn(project: string, stack: string, type: string, name: string): string {
  const qualified = `${project}/${stack}`;
  const digest = sha256(`${qualified}/${type}/${name}`).slice(0, 20);
  const readable = name.replace(/[^A-Za-z0-9._-]+/g, "-").slice(0, 40);
  return `pbx:${sha256(qualified).slice(0, 8)}:${readable}.${digest}`;
}
