/**
 * One V8 setting for the process this provider is loaded in: Pulumi's dynamic-provider plugin, which serves
 * only dynamic providers (`pbx-estate/provider` is loaded nowhere else).
 *
 * V8 "pretenures" the objects of an allocation site whose objects often survived a young-generation
 * collection: from then on it makes them straight in the old generation. At the start of a refresh the
 * engine's first 64 Read calls wait together while the provider loads and lists the stack, so their decoded
 * requests survive; V8 then pretenured the plugin's request-decoding sites for the rest of the run, though
 * every later request lives for well under a millisecond. At 1,000 users that cost 0.7–0.8 s of young
 * collections per refresh instead of 0.25–0.3 s, a 200 MB heap instead of 85 MB, and 1.5–2 s more plugin
 * CPU. Without the heuristic the plugin stays on the cheap path. It changes when memory is collected, never
 * what is computed.
 */
import { setFlagsFromString } from "node:v8";

export function keepShortLivedObjectsYoung(): void {
  setFlagsFromString("--no-allocation-site-pretenuring");
}
