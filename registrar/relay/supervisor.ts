/**
 * Starts rtpengine (userspace, no kernel module) as the registrar's media relay on loopback and keeps it
 * running: a relay that dies is started again on the same NG and RTP ports. It records the calls it is
 * told to with the pcap method into `recordingDir`, which is kept private (folders 0700, files 0600).
 */
import type { ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, watch } from "node:fs";
import type { FSWatcher } from "node:fs";
import { join, resolve } from "node:path";
import { makePrivate } from "../../runtime/private-files.ts";
import {
  findOnPath,
  freeUdpPort,
  hasExited,
  isExecutable,
  killGroup,
  spawnDaemon,
  superviseDaemon,
} from "../supervision.ts";
import type { SupervisedDaemon } from "../supervision.ts";
import { RelayNotInstalledError, RelayStartError } from "./errors.ts";
import { pingRelay } from "./ng.ts";

export interface StartRelayOptions {
  /** Folder for the relay's pid file; created if missing. */
  dataDir: string;
  /** Loopback address for both the NG control port and the RTP ports; default 127.0.0.1. */
  host?: string;
  /** UDP port of the NG control protocol; default a free one. */
  ngPort?: number;
  /** The RTP/RTCP ports calls are given; default 30000–40000. */
  rtpPorts?: { min: number; max: number };
  /** Where recorded calls are written (`pcaps/`, `metadata/`, `tmp/`); created 0700 if missing. */
  recordingDir: string;
  /** The rtpengine binary; default `rtpengine` from PATH, /usr/sbin or /usr/local/sbin. */
  binary?: string;
  /** Receives each line rtpengine prints. */
  onLog?: (line: string) => void;
  /**
   * Called when rtpengine died, before it is started again (so every recording file older than this call belongs
   * to the dead process): the calls it held are lost, their recordings left unfinished in `tmp/`.
   */
  onRestart?: () => void;
}

export interface RunningRelay {
  host: string;
  ngPort: number;
  recordingDir: string;
  /** The current rtpengine process id, undefined while it is being restarted. */
  pid(): number | undefined;
  /** How many times rtpengine was started again after dying. */
  restarts(): number;
  /** Resolves once the relay answers `ping` (after a restart, for instance); rejects after the deadline. */
  ready(timeoutMs?: number): Promise<void>;
  /** Stops rtpengine; calls in progress are dropped, the recording folder is kept. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1)$/;
const KEEP_LINES = 200;
const RECORDING_SUBDIRS = ["pcaps", "metadata", "tmp"] as const;

/** Starts rtpengine and resolves once it answers `ping`; throws `RelayNotInstalledError` when it is missing. */
export async function startRelay(options: StartRelayOptions): Promise<RunningRelay> {
  const host = options.host ?? "127.0.0.1";
  if (!LOOPBACK.test(host)) throw new Error(`the media relay listens on loopback only, not ${host}`);
  const binary = options.binary ?? findOnPath("rtpengine");
  if (binary === undefined || !isExecutable(binary)) throw new RelayNotInstalledError("rtpengine (the media relay)");
  const rtpPorts = options.rtpPorts ?? { min: 30_000, max: 40_000 };
  if (!(Number.isInteger(rtpPorts.min) && Number.isInteger(rtpPorts.max) && 1024 <= rtpPorts.min))
    throw new Error(`rtpPorts must be whole port numbers from 1024, not ${rtpPorts.min}–${rtpPorts.max}`);
  if (!(rtpPorts.min < rtpPorts.max && rtpPorts.max <= 65_535))
    throw new Error(`rtpPorts must be a range up to 65535, not ${rtpPorts.min}–${rtpPorts.max}`);

  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const pidFile = join(dataDir, "rtpengine.pid");
  killLeftover(pidFile);
  const recordingDir = resolve(options.recordingDir);
  for (const sub of RECORDING_SUBDIRS) mkdirSync(join(recordingDir, sub), { recursive: true, mode: 0o700 });
  makePrivate(recordingDir);
  const watchers = keepFilesPrivate(recordingDir);

  const output: string[] = [];
  const remember = (line: string): void => {
    output.push(line);
    if (output.length > KEEP_LINES) output.shift();
    options.onLog?.(line);
  };

  let ngPort = options.ngPort ?? (await freeUdpPort(host));
  const hostPart = host.includes(":") ? `[${host}]` : host;
  const launch = (): ChildProcess =>
    spawnDaemon(
      {
        binary,
        args: [
          "--config-file=none", // not /etc/rtpengine/rtpengine.conf: its ports would clash between relays
          "--foreground",
          "--table=-1", // userspace forwarding: no kernel module
          `--interface=${host}`,
          `--listen-ng=${hostPart}:${ngPort}`,
          `--port-min=${rtpPorts.min}`,
          `--port-max=${rtpPorts.max}`,
          `--recording-dir=${recordingDir}`,
          "--recording-method=pcap",
          // A deleted call's recording is finished at once, not 30 s later (the daemon's default).
          "--delete-delay=0",
          `--pidfile=${pidFile}`,
          "--log-stderr",
        ],
        // The pcap files are created 0666 less the umask; the metadata file, which rtpengine chmods
        // to 0664, is made 0600 by the watchers.
        umask: 0o077,
        // rtpengine 10.5 crashes on the way out when stopped with a recorded call in progress: no core
        // file (it would hold the calls' media and metadata), and none in the caller's folder.
        noCoreDumps: true,
        cwd: dataDir,
      },
      remember,
    );

  let daemon: SupervisedDaemon;
  for (let attempt = 1; ; attempt++) {
    output.length = 0; // what this attempt printed
    daemon = superviseDaemon({
      name: "rtpengine",
      launch,
      log: remember,
      beforeRestart: async () => options.onRestart?.(),
    });
    const started = daemon.current();
    try {
      await untilPong({ host, port: ngPort }, () => started === undefined || hasExited(started), 10_000);
      break;
    } catch (error) {
      await daemon.stop();
      // A port picked as free can be taken before rtpengine binds it: try a few before giving up.
      const portTaken = /NG control connection port .*Address already in use/.test(output.join("\n"));
      if (options.ngPort === undefined && attempt < 3 && portTaken) {
        ngPort = await freeUdpPort(host);
        continue;
      }
      for (const watcher of watchers) watcher.close();
      throw new RelayStartError(`rtpengine did not start: ${(error as Error).message}`, output.slice(-30).join("\n"));
    }
  }
  const running = daemon;

  const stop = async (): Promise<void> => {
    for (const watcher of watchers) watcher.close();
    await running.stop();
  };
  return {
    host,
    ngPort,
    recordingDir,
    pid: () => running.current()?.pid,
    restarts: () => running.restarts(),
    ready: (timeoutMs = 10_000) => untilPong({ host, port: ngPort }, () => running.stopping(), timeoutMs),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** Pings until the relay answers, the deadline passes, or `gaveUp` says the process is gone. */
async function untilPong(
  address: { host: string; port: number },
  gaveUp: () => boolean,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (gaveUp()) throw new Error("rtpengine exited");
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`no answer to ping on ${address.host}:${address.port} within ${timeoutMs} ms`);
    try {
      await pingRelay(address, { timeoutMs: Math.min(250, left), retransmitMs: 50 });
      return;
    } catch {
      // not answering yet
    }
  }
}

/**
 * rtpengine creates each call's metadata file in `tmp/` and chmods it 0664 (umask aside), then renames it
 * into `metadata/` when the call ends. The watchers take group and other bits off whatever appears or
 * changes there, long before the rename; the folder being 0700 keeps others out meanwhile.
 */
function keepFilesPrivate(recordingDir: string): FSWatcher[] {
  return ["tmp", "metadata", "pcaps"].map((sub) => {
    const dir = join(recordingDir, sub);
    const watcher = watch(dir, (_event, name) => {
      if (name !== null) makeFilePrivate(join(dir, name));
    });
    watcher.on("error", () => undefined); // the folder removed under us: nothing left to protect
    return watcher;
  });
}

function makeFilePrivate(path: string): void {
  try {
    const { mode } = statSync(path);
    // Only when needed: a chmod is itself a change the watcher sees.
    if ((mode & 0o077) !== 0) chmodSync(path, mode & 0o700);
  } catch {
    // renamed or removed meanwhile
  }
}

/** A relay left running by a process that died without stopping it would hold the NG port. */
function killLeftover(pidFile: string): void {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").trim());
  rmSync(pidFile, { force: true });
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(pidFile)) killGroup(pid);
  } catch {
    // no such process
  }
}
