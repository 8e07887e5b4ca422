/**
 * Live progress of an apply or destroy from the engine's events: on a terminal, a status line redrawn in
 * place above which each finished step is printed; elsewhere (CI logs), one plain line per finished step.
 * Only the estate's own steps and the provider's notes about them are shown, never debug output.
 */
import type { EngineEvent } from "@pulumi/pulumi/automation/index.js";
import { parseEstateName } from "../../sdk/estate-resources.ts";
import type { Io } from "./io.ts";

const PBX_TYPE_PREFIX = "pulumi-nodejs:dynamic/pbx:";

function describe(urn: string): string | undefined {
  const name = urn.split("::").pop() ?? "";
  const parsed = parseEstateName(name);
  if (!parsed) return undefined;
  switch (parsed.kind) {
    case "user":
      return `user ${parsed.key}`;
    case "device":
      return `device ${parsed.key}`;
    case "user-licence":
      return `user licence of ${parsed.key}`;
    case "device-licence":
      return `SIP-device licence of ${parsed.key}`;
  }
}

/**
 * The provider's notes (a claimed licence, when a cancellation takes effect) reach the engine log without
 * a resource; the engine's own notice about the plugin's location is left out, and so are debug lines and
 * plugin stderr (`info#err`), which can carry payloads.
 */
function isProviderNote(urn: string | undefined, severity: string, message: string): boolean {
  if (!["info", "warning", "error"].includes(severity)) return false;
  if (urn !== undefined && !urn.includes(PBX_TYPE_PREFIX)) return false;
  return !message.startsWith("using pulumi-resource-pulumi-nodejs from $PATH");
}

const done: Record<string, string> = {
  create: "created",
  update: "updated",
  delete: "removed",
  replace: "replaced",
  "create-replacement": "created the replacement of",
  "delete-replaced": "removed the replaced",
};

export class Progress {
  private readonly io: Io;
  private readonly total: number;
  private readonly running = new Map<string, string>();
  private finished = 0;
  private statusShown = false;

  /** `total`: the steps the plan expects, for the status line's count (0: not known). */
  constructor(io: Io, total: number) {
    this.io = io;
    this.total = total;
  }

  readonly onEvent = (event: EngineEvent): void => {
    const pre = event.resourcePreEvent?.metadata;
    if (pre && pre.type.startsWith(PBX_TYPE_PREFIX) && done[pre.op]) {
      const what = describe(pre.urn);
      if (what) this.running.set(pre.urn, what);
      this.redraw();
    }
    const outputs = event.resOutputsEvent?.metadata;
    if (outputs && outputs.type.startsWith(PBX_TYPE_PREFIX) && done[outputs.op]) {
      const what = describe(outputs.urn);
      this.running.delete(outputs.urn);
      if (what) {
        this.finished++;
        const verb = outputs.op === "delete" && what.includes("licence") ? "cancelled" : done[outputs.op];
        this.line(`${verb} ${what}`);
      }
    }
    const failed = event.resOpFailedEvent?.metadata;
    if (failed && failed.type.startsWith(PBX_TYPE_PREFIX)) {
      this.running.delete(failed.urn);
      this.line(`failed: ${describe(failed.urn) ?? failed.urn}`);
    }
    const diagnostic = event.diagnosticEvent;
    if (diagnostic && isProviderNote(diagnostic.urn, diagnostic.severity, diagnostic.message)) {
      const what = diagnostic.urn ? ` (${describe(diagnostic.urn) ?? diagnostic.urn})` : "";
      this.line(
        `  ${diagnostic.severity === "info" ? "note" : diagnostic.severity}${what}: ${diagnostic.message.trim()}`,
      );
    }
  };

  /** Clears the status line: call before printing anything else. */
  finish(): void {
    this.clearStatus();
  }

  private line(text: string): void {
    this.clearStatus();
    this.io.err(this.io.interactive ? `  ${text}` : text);
    this.redraw();
  }

  private clearStatus(): void {
    if (this.statusShown) this.io.errRaw("\r\x1b[2K");
    this.statusShown = false;
  }

  private redraw(): void {
    if (!this.io.interactive) return;
    const names = [...this.running.values()];
    const now =
      names.length > 0
        ? ` · working on ${names.slice(0, 3).join(", ")}${names.length > 3 ? ` and ${names.length - 3} more` : ""}`
        : "";
    const status = `[${this.finished}${this.total > 0 ? `/${this.total}` : ""}]${now}`;
    this.clearStatus();
    this.io.errRaw(status.slice(0, Math.max(20, this.io.columns - 1)));
    this.statusShown = true;
  }
}
