/** Typed errors of the registrar module. */

/** A daemon the registrar runs (or a module it needs) is not installed on this machine. */
export class NotInstalledError extends Error {
  override name = "NotInstalledError";
  /** The Debian packages that provide what is missing. */
  readonly packages: readonly string[];
  constructor(missing: string, packages: readonly string[]) {
    super(
      `${missing} is not installed. Install it with: ` +
        `apt-get install -y --no-install-recommends ${packages.join(" ")}`,
    );
    this.packages = packages;
  }
}

/** A daemon exited or never answered while starting; `output` is the end of what it printed. */
export class DaemonStartError extends Error {
  override name = "DaemonStartError";
  readonly output: string;
  constructor(daemon: string, message: string, output: string) {
    super(output.trim() === "" ? message : `${message}\n--- ${daemon} output (last lines) ---\n${output.trim()}`);
    this.output = output;
  }
}

/** Kamailio (or a module it needs) is not installed on this machine. */
export class RegistrarNotInstalledError extends NotInstalledError {
  override name = "RegistrarNotInstalledError";
}

/** Kamailio exited or never answered while starting. */
export class RegistrarStartError extends DaemonStartError {
  override name = "RegistrarStartError";
  constructor(message: string, output: string) {
    super("kamailio", message, output);
  }
}

/** A snapshot that does not have the documented shape; nothing was written. */
export class InvalidSnapshotError extends Error {
  override name = "InvalidSnapshotError";
  readonly issues: readonly { path: PropertyKey[]; message: string }[];
  constructor(issues: readonly { path: PropertyKey[]; message: string }[]) {
    super(
      `invalid revision snapshot: ${issues.map((i) => `${i.path.map(String).join(".")}: ${i.message}`).join("; ")}`,
    );
    this.issues = issues;
  }
}

/** Kamailio's control socket refused or failed a command. */
export class RegistrarControlError extends Error {
  override name = "RegistrarControlError";
}
