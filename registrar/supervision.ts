/**
 * What the registrar's daemons (Kamailio, the rtpengine media relay) share: started in their own process
 * group under `setpriv --pdeathsig TERM`, so they die with this Node process even when it is killed, their
 * output read line by line, and started again when they die, until they die too often.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createSocket } from "node:dgram";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/** More deaths than this within `DEATH_WINDOW_MS` and the supervisor gives up. */
const MAX_DEATHS = 5;
const DEATH_WINDOW_MS = 60_000;

export function findOnPath(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/usr/local/sbin", "/sbin"];
  return dirs.map((d) => join(d, name)).find(isExecutable);
}

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface DaemonCommand {
  binary: string;
  args: readonly string[];
  /** The daemon's umask (octal, e.g. 0o077); default this process's. */
  umask?: number;
  /** No core file when it crashes (its memory may hold what must stay private); default as this process. */
  noCoreDumps?: boolean;
  /** Its working folder (where a core file would land); default this process's. */
  cwd?: string;
}

/**
 * Spawns the daemon in its own process group (so its workers can be stopped with it), through setpriv
 * (util-linux), which asks the kernel to send it SIGTERM when this process dies, even by SIGKILL. Without
 * setpriv only a clean exit stops it. Each line it prints goes to `onLine`.
 */
export function spawnDaemon(command: DaemonCommand, onLine: (line: string) => void): ChildProcess {
  const setpriv = findOnPath("setpriv");
  let argv: string[] =
    setpriv === undefined
      ? [command.binary, ...command.args]
      : [setpriv, "--pdeathsig", "TERM", "--", command.binary, ...command.args];
  const settings = [
    ...(command.umask === undefined ? [] : [`umask ${command.umask.toString(8).padStart(3, "0")}`]),
    ...(command.noCoreDumps === true ? ["ulimit -c 0"] : []),
  ];
  if (settings.length > 0) {
    // The shell applies them and execs in place: same pid, and setpriv's parent is still this process.
    argv = ["/bin/sh", "-c", `${settings.join(" && ")} && exec "$@"`, "sh", ...argv];
  }
  const [file = command.binary, ...rest] = argv;
  const proc = spawn(file, rest, { detached: true, stdio: ["ignore", "pipe", "pipe"], cwd: command.cwd });
  for (const stream of [proc.stdout, proc.stderr]) {
    let partial = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop() ?? "";
      lines.forEach(onLine);
    });
  }
  proc.on("error", (error) => onLine(`[supervisor] ${error.message}`));
  return proc;
}

export interface SupervisedDaemon {
  /** The running process, undefined while it is being restarted (or after giving up or stopping). */
  current(): ChildProcess | undefined;
  /** How many times it was started again after dying. */
  restarts(): number;
  /** True once `stop()` was called. */
  stopping(): boolean;
  /** Stops the daemon and its process group, and restarts no more. */
  stop(): Promise<void>;
}

export interface SuperviseOptions {
  /** Names the daemon in the supervisor's own log lines. */
  name: string;
  /** Starts the daemon (the first time at once, then after each death). */
  launch: () => ChildProcess;
  /** Runs before each restart (a failure is logged, and the restart goes on). */
  beforeRestart?: () => Promise<void>;
  log: (line: string) => void;
}

/**
 * Launches the daemon and starts it again each time it dies, a little later each time (the ports of
 * workers killed with its group are released a moment later), giving up after more than 5 deaths in a
 * minute.
 */
export function superviseDaemon(options: SuperviseOptions): SupervisedDaemon {
  const { name, log } = options;
  let child: ChildProcess | undefined;
  let stopping = false;
  let restartCount = 0;
  let restartTimer: NodeJS.Timeout | undefined;
  const recentDeaths: number[] = [];

  const start = (): void => {
    const proc = options.launch();
    child = proc;
    proc.on("exit", (code, signal) => {
      killGroup(proc.pid);
      if (child === proc) child = undefined;
      if (stopping) {
        log(`[supervisor] ${name} stopped (${signal ?? `code ${code}`})`);
        return;
      }
      log(`[supervisor] ${name} exited (${signal ?? `code ${code}`}); restarting`);
      const now = Date.now();
      recentDeaths.push(now);
      while (recentDeaths.length > 0 && (recentDeaths[0] ?? now) < now - DEATH_WINDOW_MS) recentDeaths.shift();
      if (recentDeaths.length > MAX_DEATHS) {
        log(`[supervisor] ${name} died more than ${MAX_DEATHS} times in a minute; giving up`);
        return;
      }
      restartTimer = setTimeout(() => {
        restartTimer = undefined;
        void (options.beforeRestart?.() ?? Promise.resolve())
          .catch((error: Error) => log(`[supervisor] before restarting ${name}: ${error.message}`))
          .finally(() => {
            if (stopping) return;
            restartCount += 1;
            start();
          });
      }, 100 * recentDeaths.length);
    });
  };

  const onProcessExit = (): void => killGroup(child?.pid);
  process.on("exit", onProcessExit);
  start();

  return {
    current: () => child,
    restarts: () => restartCount,
    stopping: () => stopping,
    stop: async () => {
      stopping = true;
      if (restartTimer !== undefined) clearTimeout(restartTimer);
      process.off("exit", onProcessExit);
      if (child !== undefined) await stopChild(child);
    },
  };
}

export function killGroup(pid: number | undefined, signal: NodeJS.Signals = "SIGKILL"): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

/** SIGTERM to the process group, SIGKILL after 5 s, and whatever is left of the group killed once it exits. */
export async function stopChild(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) {
    killGroup(proc.pid);
    return;
  }
  const exited = new Promise<void>((done) => proc.once("exit", () => done()));
  killGroup(proc.pid, "SIGTERM");
  const timer = setTimeout(() => killGroup(proc.pid), 5_000);
  await exited;
  clearTimeout(timer);
  killGroup(proc.pid);
}

export function hasExited(proc: ChildProcess): boolean {
  return proc.exitCode !== null || proc.signalCode !== null;
}

export async function freeUdpPort(host: string): Promise<number> {
  const socket = createSocket(host.includes(":") ? "udp6" : "udp4");
  await new Promise<void>((done, fail) => {
    socket.once("error", fail);
    socket.bind(0, host, () => done());
  });
  const { port } = socket.address();
  await new Promise<void>((done) => socket.close(() => done()));
  return port;
}

export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
