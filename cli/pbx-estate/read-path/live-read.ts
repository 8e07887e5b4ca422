/**
 * The live objects as a refresh reads them: each recorded resource through the provider's own `read` hook,
 * with a provider context built here over the CLI's credentials (listings of the stack's objects answer
 * most reads, as in the plugin). As the Node dynamic-provider plugin does, the answer keeps the provider shim,
 * and the inputs stay the recorded ones (`read` returns none). Secrets stay as the events show them: the
 * password the engine would decrypt and hand to `read` is a stand-in here, and any output recorded secret
 * reads secret again, as the engine marks it.
 */
import { HttpClient, PbxApi } from "../../../api-client/index.ts";
import {
  contextOver,
  resourceKinds,
  type Inputs,
  type ProviderContext,
  type ResourceKind,
} from "../../../provider/contract.ts";
import type { EstateResourceKind } from "../../../sdk/estate-resources.ts";
import type { BackendCredentials } from "../backend-api.ts";
import { CliError, messageOf } from "../errors.ts";
import { isSecret, SECRET_AS_SHOWN, type RecordedResource } from "./recorded-state.ts";

/** The provider's hooks that read each kind of estate resource. */
const readerOf: Record<EstateResourceKind, ResourceKind> = {
  user: "user",
  device: "device",
  "user-licence": "subscription",
  "device-licence": "subscription",
};

/** A stand-in for a decrypted secret: `read` only carries it forward or drops it. */
const SECRET_STAND_IN = "\u0000secret";

function withStandIns(outputs: Inputs): Inputs {
  return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, isSecret(v) ? SECRET_STAND_IN : v]));
}

/** `read`'s answer with every field recorded secret shown secret (the engine marks them so in a refresh). */
function secretsKept(recorded: Inputs, read: Inputs): Inputs {
  return Object.fromEntries(
    Object.entries(read).map(([k, v]) => [
      k,
      isSecret(recorded[k]) || v === SECRET_STAND_IN ? { ...SECRET_AS_SHOWN } : v,
    ]),
  );
}

/** What a refresh reads for each of `resources` (by logical name): its outputs, or undefined when gone. */
export async function readLive(
  credentials: BackendCredentials,
  resources: readonly RecordedResource[],
): Promise<Map<string, Inputs | undefined>> {
  const http = new HttpClient({
    endpoint: credentials.endpoint,
    token: credentials.token,
    readDeadlineMs: credentials.readTimeoutMs,
    writeDeadlineMs: credentials.writeTimeoutMs,
    userAgent: "pbx-estate-cli",
    maxInFlight: 64,
  });
  const context: ProviderContext = contextOver(new PbxApi(http), {
    changeSetDescription: "pbx-estate CLI read",
    writes: http.writes,
    acceptTerms: undefined,
    log: async () => {},
  });
  try {
    const answers = await Promise.all(
      resources.map(async (resource) => {
        const hooks = await resourceKinds[readerOf[resource.kind]].changes();
        try {
          const read = await hooks.read(context, resource.id, withStandIns(resource.outputs));
          if (!read.id) return [resource.name, undefined] as const;
          const props = { ...read.props, __provider: resource.outputs.__provider };
          return [resource.name, secretsKept(resource.outputs, props)] as const;
        } catch (error) {
          throw new CliError(`could not read the live objects:\n  ${resource.name}: ${messageOf(error)}`);
        }
      }),
    );
    return new Map(answers);
  } finally {
    await http.close();
  }
}
