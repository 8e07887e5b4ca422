/** Typed errors of the media relay (rtpengine) and its NG client. */
import { DaemonStartError, NotInstalledError } from "../errors.ts";

/** The Debian package that provides the `rtpengine` binary. */
export const RELAY_PACKAGES = ["rtpengine-daemon"] as const;

/** rtpengine is not installed on this machine. */
export class RelayNotInstalledError extends NotInstalledError {
  override name = "RelayNotInstalledError";
  constructor(missing: string, packages: readonly string[] = RELAY_PACKAGES) {
    super(missing, packages);
  }
}

/** rtpengine exited or never answered `ping` while starting. */
export class RelayStartError extends DaemonStartError {
  override name = "RelayStartError";
  constructor(message: string, output: string) {
    super("rtpengine", message, output);
  }
}

/** The relay answered an NG command with "error" (or with something that is not an answer). */
export class RelayCommandError extends Error {
  override name = "RelayCommandError";
  readonly command: string;
  readonly reason: string;
  constructor(command: string, reason: string) {
    super(`rtpengine refused "${command}": ${reason}`);
    this.command = command;
    this.reason = reason;
  }
}

/** No answer to an NG command before its deadline (retransmissions included). */
export class RelayTimeoutError extends Error {
  override name = "RelayTimeoutError";
  readonly command: string;
  constructor(command: string, address: string, timeoutMs: number) {
    super(`no answer from rtpengine at ${address} to "${command}" within ${timeoutMs} ms`);
    this.command = command;
  }
}
