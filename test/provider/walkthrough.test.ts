/**
 * The seed walkthrough with the real engine and the real backend: order licences, create John's desk phone
 * and softphone, configure John and link both, apply; change a field in place; remove everything in the
 * seed's order, with the licences cancelled at the end of the month.
 */
import { describe, expect, it } from "vitest";
import { auditLog, estateEngine, NUMBERS, startTestBackend, type AuditEntry } from "./harness.ts";
import { johnEstate } from "./estate.ts";
import type { User } from "../../schemas/user.ts";

function seqOf(log: AuditEntry[], predicate: (e: AuditEntry) => boolean, what: string): number {
  const entry = log.find(predicate);
  if (!entry) throw new Error(`no audit entry for ${what}`);
  return entry.seq;
}

/** The seq of the apply that made the staged operation on `objectId` live. */
function appliedSeq(log: AuditEntry[], action: string, objectId: string): number {
  const staged = log.find((e) => e.action === `stage:${action}` && e.objectId === objectId);
  if (!staged) return seqOf(log, (e) => e.action === action && e.objectId === objectId, `${action} ${objectId}`);
  const changeSetId = staged.detail.changeSetId;
  return seqOf(
    log,
    (e) => e.action === "change-set.apply" && e.objectId === changeSetId && e.seq > staged.seq,
    `apply of ${action} ${objectId}`,
  );
}

describe("the seed walkthrough as a Pulumi program", () => {
  it("orders, creates, links and applies in dependency order; edits in place; removes in the seed's order", async () => {
    await using backend = await startTestBackend({ timeZone: "Pacific/Auckland" });
    let estate = johnEstate();
    await using engine = await estateEngine(backend, async () => {
      estate = johnEstate();
      return { john: estate.john.id };
    });

    const up = await engine.up();
    expect(up.steps.filter((s) => s.op !== "create")).toEqual([]);
    expect(up.steps).toHaveLength(6);

    const users = (await backend.call<User[]>("GET", "/v1/users")).body;
    expect(users).toHaveLength(1);
    const john = users[0]!;
    expect(john).toMatchObject({
      name: "John Smith",
      extension: "201",
      outboundCallerId: NUMBERS[0],
      recording: { enabled: true, email: "recordings@acme.example" },
      live: true,
      pending: false,
    });
    expect(john.deviceIds).toHaveLength(2);

    const log = await auditLog(backend);
    const ordered = (licenceId: string) =>
      seqOf(
        log,
        (e) => e.action === "order.create" && (e.detail.subscriptions as string[]).includes(licenceId),
        `order of ${licenceId}`,
      );
    const devices = (await backend.call<{ id: string; licenceId: string; name: string }[]>("GET", "/v1/devices")).body;
    expect(devices.map((d) => d.name).sort()).toEqual(["John's Desk Phone", "John's Softphone"]);
    for (const device of devices) {
      expect(ordered(device.licenceId)).toBeLessThan(appliedSeq(log, "device.create", device.id));
      // John was linked to each device only after the device itself existed.
      const linked = seqOf(
        log,
        (e) =>
          e.action.endsWith("user.link") &&
          e.detail.op !== undefined &&
          (e.detail.op as { deviceId: string }).deviceId === device.id,
        `link of ${device.id}`,
      );
      expect(appliedSeq(log, "device.create", device.id)).toBeLessThan(linked);
    }
    const johnLicence = (await backend.call<{ licenceId: string }>("GET", `/v1/users/${john.id}`)).body.licenceId;
    expect(ordered(johnLicence)).toBeLessThan(appliedSeq(log, "user.create", john.id));

    await engine.preview({ expectNoChanges: true });

    // An edit in place: exactly one property of one resource.
    engine.setProgram(async () => {
      estate = johnEstate({ callerId: NUMBERS[1] });
    });
    const preview = await engine.preview();
    const changed = preview.steps.filter((s) => s.op !== "same");
    expect(changed.map((s) => [s.op, s.name, s.diffs])).toEqual([["update", "john", ["outboundCallerId"]]]);
    await engine.up();
    const after = (await backend.call<User>("GET", `/v1/users/${john.id}`)).body;
    expect(after).toMatchObject({ outboundCallerId: NUMBERS[1], live: true, pending: false });
    await engine.preview({ expectNoChanges: true });

    const destroyed = await engine.destroy();
    const deleted = destroyed.steps.map((s) => s.name);
    expect(deleted.indexOf("john")).toBeLessThan(deleted.indexOf("john-desk"));
    expect(deleted.indexOf("john-desk")).toBeLessThan(deleted.indexOf("john-desk-licence"));

    const finalLog = await auditLog(backend);
    const removed = appliedSeq(finalLog, "user.delete", john.id);
    for (const device of devices) {
      const deviceDeleted = appliedSeq(finalLog, "device.delete", device.id);
      expect(removed).toBeLessThan(deviceDeleted);
      const cancelled = seqOf(
        finalLog,
        (e) => e.objectId === device.licenceId && e.action.includes("cancel"),
        `cancel ${device.licenceId}`,
      );
      expect(deviceDeleted).toBeLessThan(cancelled);
    }
    const subs = (await backend.call<{ status: string; cancellationEffectiveAt: string }[]>("GET", "/v1/subscriptions"))
      .body;
    expect(subs).toHaveLength(3);
    for (const s of subs) {
      expect(s.status).toBe("cancellation-scheduled");
      // The clock says 14 November 2026; the month ends at midnight in Auckland (UTC+13 in summer).
      expect(s.cancellationEffectiveAt).toBe("2026-11-30T11:00:00.000Z");
    }
    // Each licence's note names its resource, so a destroy of many licences says which one ends when.
    const notes = destroyed.diagnostics.filter((d) => d.includes("cancellation scheduled"));
    expect(notes.map((n) => /licence ([\w-]+) \(/.exec(n)?.[1]).sort()).toEqual([
      "john-desk-licence",
      "john-licence",
      "john-softphone-licence",
    ]);
    for (const note of notes)
      expect(note).toMatch(
        /: cancellation scheduled, takes effect 2026-11-30T11:00:00.000Z \(end of the month in Pacific\/Auckland; no pro-rata refund\)/,
      );
  });
});
