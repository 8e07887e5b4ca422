/**
 * Kamailio's control socket, spoken through `kamcmd` (shipped in Debian's `kamailio` package): drops the
 * live registrations of devices that lost their credentials and reads a device's bindings.
 */
import { execFile } from "node:child_process";
import { RegistrarControlError } from "./errors.ts";

/** Runs one RPC command; kamcmd exits 0 even when the command fails, so its "error:" line is checked. */
export async function rpc(ctlSocket: string, args: readonly string[]): Promise<string> {
  const out = await new Promise<string>((resolve, reject) => {
    execFile("kamcmd", ["-s", `unix:${ctlSocket}`, ...args], { timeout: 10_000 }, (error, stdout, stderr) => {
      if (error !== null)
        reject(new RegistrarControlError(`kamcmd ${args.join(" ")} failed: ${error.message} ${stderr}`.trim()));
      else resolve(`${stdout}${stderr}`);
    });
  });
  const failure = /^error: (\d+) - (.*)$/m.exec(out);
  if (failure !== null)
    throw new RegistrarControlError(`kamcmd ${args.join(" ")}: ${failure[1]} ${failure[2]}`, { cause: out });
  return out;
}

/**
 * Removes every live registration of each SIP username (its AOR: the registrar does not use domains).
 * A username with no registration is not an error.
 */
export async function dropRegistrations(ctlSocket: string, usernames: readonly string[]): Promise<void> {
  for (const username of usernames) await rpc(ctlSocket, ["ul.rm", "location", username]);
}

/** The contact URIs a SIP username is registered at right now; empty when it has no registration. */
export async function registeredContacts(ctlSocket: string, username: string): Promise<string[]> {
  let out: string;
  try {
    out = await rpc(ctlSocket, ["ul.lookup", "location", username]);
  } catch (error) {
    if (error instanceof RegistrarControlError && /AOR not found/.test(error.message)) return [];
    throw error;
  }
  return [...out.matchAll(/^\s*Address: (\S+)/gm)].map((m) => m[1] ?? "");
}
