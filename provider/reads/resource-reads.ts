/**
 * How `read` finds each kind of object: first in a listing of what the stack made (./stack-reads.ts), then
 * by id, in `?ids=` calls that group reads arriving together (api-client/read-batcher.ts).
 */
import type { Device } from "../../schemas/device.ts";
import type { Subscription } from "../../schemas/subscription.ts";
import type { User } from "../../schemas/user.ts";
import { ReadBatcher, type HttpClient, type PbxApi } from "../../api-client/index.ts";
import { StackReads } from "./stack-reads.ts";

export interface ResourceReads {
  devices: StackReads<Device>;
  users: StackReads<User>;
  subscriptions: StackReads<Subscription>;
}

/** Cancelled licences are history that only grows: a read of one goes by id. */
const listedStatuses = ["active", "cancellation-scheduled"] as const;

type ReadCalls = Pick<
  PbxApi,
  "devicesByReferencePrefix" | "devicesByIds" | "usersByReferencePrefix" | "usersByIds" | "subscriptions"
>;

export function resourceReads(
  api: ReadCalls,
  http: Pick<HttpClient, "writes">,
  options: { maxAgeMs: number; now?: () => number },
): ResourceReads {
  const reads = <T extends { id: string }>(
    list: (prefix: string) => Promise<T[]>,
    byIds: (ids: string[]) => Promise<T[]>,
  ): StackReads<T> => {
    const batched = new ReadBatcher(byIds);
    return new StackReads(list, (id) => batched.get(id), { ...options, writes: http.writes });
  };
  return {
    devices: reads(
      (prefix) => api.devicesByReferencePrefix(prefix),
      (ids) => api.devicesByIds(ids),
    ),
    users: reads(
      (prefix) => api.usersByReferencePrefix(prefix),
      (ids) => api.usersByIds(ids),
    ),
    subscriptions: reads(
      async (prefix) =>
        (
          await Promise.all(
            listedStatuses.map((status) => api.subscriptions({ clientReferencePrefix: prefix, status })),
          )
        ).flat(),
      (ids) => api.subscriptions({ ids: ids.join(",") }),
    ),
  };
}
