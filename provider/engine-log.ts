/**
 * Messages from the provider into the engine's log, so `pulumi up` and the CLI show them (for example the
 * date a licence's cancellation takes effect). The dynamic-provider plugin is started with the engine's
 * address as its first argument but does not connect a log client itself; this module does, lazily.
 * Outside the plugin (unit tests) messages go to stderr. Never pass secrets here.
 */
import { createRequire } from "node:module";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as engineGrpcTypes from "@pulumi/pulumi/proto/engine_grpc_pb.js";
import type * as engineTypes from "@pulumi/pulumi/proto/engine_pb.js";

const require = createRequire(import.meta.url);

interface EngineLog {
  client: engineGrpcTypes.EngineClient;
  proto: typeof engineTypes;
}

let engine: EngineLog | null | undefined;

function connect(): EngineLog | null {
  if (engine !== undefined) return engine;
  const address = process.argv[2];
  if (!address || !/^[\w.[\]:-]+:\d+$/.test(address)) return (engine = null);
  const grpc = require("@grpc/grpc-js") as typeof grpcTypes;
  const grpcApi = require("@pulumi/pulumi/proto/engine_grpc_pb.js") as typeof engineGrpcTypes;
  const proto = require("@pulumi/pulumi/proto/engine_pb.js") as typeof engineTypes;
  return (engine = { client: new grpcApi.EngineClient(address, grpc.credentials.createInsecure()), proto });
}

export async function logToEngine(severity: "info" | "warning", message: string): Promise<void> {
  const target = connect();
  if (!target) {
    process.stderr.write(`${severity}: ${message}\n`);
    return;
  }
  const request = new target.proto.LogRequest();
  request.setSeverity(severity === "info" ? target.proto.LogSeverity.INFO : target.proto.LogSeverity.WARNING);
  request.setMessage(message);
  await new Promise<void>((resolve) => target.client.log(request, () => resolve()));
}
