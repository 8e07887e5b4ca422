/**
 * Per-process provider state, built on first use inside the dynamic-provider plugin: the HTTP client and
 * its pool, the API, the apply batcher shared by every hook of this engine run, and the account the token
 * belongs to. One plugin process serves one engine run, so this is the unit that group commit batches in.
 */
import { ApplyBatcher } from "./apply/batcher.ts";
import { ApiError } from "./client/errors.ts";
import { HttpClient } from "./client/http.ts";
import { PbxApi, type Whoami } from "./client/pbx-api.ts";
import { resolveSettings, type ConfigSource, type Settings } from "./settings.ts";

/** Refusals of an apply that another change of the same run may resolve (see ApplyBatcher). */
const ruleConflictCodes = new Set(["extension-taken", "device-link-conflict", "licence-held"]);

export interface ProviderContext {
  api: PbxApi;
  batcher: ApplyBatcher;
  /** The token's account, asked once per process. */
  account(): Promise<Whoami>;
}

let configured: Settings | undefined;
let current: ProviderContext | undefined;

export function configureProvider(config: ConfigSource | undefined): void {
  const next = resolveSettings(config);
  if (current && (configured?.endpoint !== next.endpoint || configured.token !== next.token)) current = undefined;
  configured = next;
}

export function providerContext(): ProviderContext {
  if (current) return current;
  const settings = configured ?? resolveSettings(undefined);
  const http = new HttpClient({ endpoint: settings.endpoint, token: settings.token, maxInFlight: 16 });
  const api = new PbxApi(http);
  const batcher = new ApplyBatcher({
    open: async () => (await api.openChangeSet(`pulumi provider, process ${process.pid}`)).id,
    apply: async (id) => {
      try {
        return (await api.applyChangeSet(id)).revision;
      } catch (error) {
        // An apply whose answer was lost may have happened: the change set says so.
        const set = await api.changeSet(id).catch(() => undefined);
        if (set?.status === "applied" && set.appliedRevision !== null) return set.appliedRevision;
        throw error;
      }
    },
    discard: (id) => api.discardChangeSet(id),
    isRuleConflict: (error) => error instanceof ApiError && error.status === 409 && ruleConflictCodes.has(error.code),
  });
  let account: Promise<Whoami> | undefined;
  current = {
    api,
    batcher,
    account: () => {
      account ??= api.whoami();
      account.catch(() => (account = undefined));
      return account;
    },
  };
  return current;
}
