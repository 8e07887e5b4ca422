// The backend's media relay: rtpengine started beside the registrar it supervises (registrar/relay/), recording
// into the registrar's `recordings/relay` folder. Not installed: the registrar runs without recording, and the
// server says so once, with what to install.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Logger } from "pino";
import { RelayNotInstalledError, startRelay, type RunningRelay } from "../../registrar/relay/index.ts";
import { recordingFolders } from "./folders.ts";

export interface BackendRelayOptions {
  /** The registrar's folder: the relay's pid file goes in `relay/`, its recordings in `recordings/relay`. */
  registrarDataDir: string;
  /** The RTP/RTCP ports calls are given (default 30000–40000). */
  rtpPorts?: { min: number; max: number };
  /** The NG control port; default the one this folder used last, else a free one (then remembered). */
  ngPort?: number;
  /** The rtpengine binary; default from PATH, /usr/sbin or /usr/local/sbin. */
  binary?: string;
  /** rtpengine died and is being started again: the calls it held are lost (see startRelay's `onRestart`). */
  onRestart?: () => void;
}

/** Starts rtpengine; null (with one warning) when it is not installed. Other failures throw. */
export async function startBackendRelay(o: BackendRelayOptions, log: Logger): Promise<RunningRelay | null> {
  const dataDir = resolve(o.registrarDataDir);
  const portFile = join(dataDir, "relay-ng-port");
  const remembered = existsSync(portFile) ? Number(readFileSync(portFile, "utf8").trim()) : undefined;
  const ngPort =
    o.ngPort ?? (remembered !== undefined && Number.isInteger(remembered) && remembered > 0 ? remembered : undefined);
  let relay: RunningRelay;
  try {
    relay = await startRelay({
      dataDir: join(dataDir, "relay"),
      recordingDir: recordingFolders(dataDir).relay,
      ...(ngPort !== undefined ? { ngPort } : {}),
      ...(o.rtpPorts !== undefined ? { rtpPorts: o.rtpPorts } : {}),
      ...(o.binary !== undefined ? { binary: o.binary } : {}),
      onLog: (line) => log.debug({ rtpengine: line }, "relay"),
      onRestart: () => {
        log.warn({ event: "recording.relay-restarted" }, "the media relay died: recorded calls in progress are lost");
        o.onRestart?.();
      },
    });
  } catch (e) {
    if (!(e instanceof RelayNotInstalledError)) throw e;
    log.warn(
      { event: "recording.relay-not-installed", packages: e.packages },
      `calls of users with recording are not recorded: ${e.message}`,
    );
    return null;
  }
  writeFileSync(portFile, `${relay.ngPort}\n`);
  log.info(
    { event: "recording.relay-started", host: relay.host, ngPort: relay.ngPort },
    "media relay (rtpengine) started: calls of users with recording are recorded",
  );
  return relay;
}
