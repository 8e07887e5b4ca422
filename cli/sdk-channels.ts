/**
 * The Node SDK runs an inline program in this process, and its gRPC clients share subchannels process-wide
 * by address. A client may then pick up a subchannel left in backoff by an earlier, finished engine; its
 * first call (`setRootResource`) fails with "14 UNAVAILABLE: No connection established", and the SDK's
 * inline-program server swallows gRPC errors: the run ends "successfully" with only the stack registered,
 * which a preview shows as nothing to do and an update would take as every resource removed. Seen twice in
 * the test suite, which runs dozens of programs per process. Giving each of the SDK's channels its own
 * subchannels rules that out. The options object is the SDK's own (internal, untyped), reached by path.
 */
import { createRequire } from "node:module";

export function isolateSdkChannels(): void {
  const settings = createRequire(import.meta.url)("@pulumi/pulumi/runtime/settings.js") as {
    grpcClientOptions?: Record<string, unknown>;
  };
  if (settings.grpcClientOptions) settings.grpcClientOptions["grpc.use_local_subchannel_pool"] = 1;
}
