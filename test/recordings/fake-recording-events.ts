/**
 * A fake of the registrar store's recording events (`recordingEvents` / `deleteRecordingEvents` over the
 * `pbx_recording_event` table Kamailio writes): an in-memory table, with a way to make the next deletes fail (a
 * crash between the mails' commit and the delete).
 */
import type { RecordingEvent, RecordingEventSource } from "../../backend/recordings/not-recorded.ts";

export class FakeRecordingEvents implements RecordingEventSource {
  readonly rows: RecordingEvent[] = [];
  private nextId = 1;
  failDeletes = 0;

  insert(callId: string, metadata: string, reason: string): RecordingEvent {
    const row = { id: this.nextId++, callId, metadata, reason, createdAt: new Date() };
    this.rows.push(row);
    return row;
  }

  async recordingEvents(limit: number): Promise<RecordingEvent[]> {
    return this.rows.slice(0, limit).map((r) => ({ ...r }));
  }

  async deleteRecordingEvents(ids: readonly number[]): Promise<void> {
    if (this.failDeletes > 0) {
      this.failDeletes -= 1;
      throw new Error("the registrar's database went away");
    }
    for (const id of ids) {
      const at = this.rows.findIndex((r) => r.id === id);
      if (at >= 0) this.rows.splice(at, 1);
    }
  }
}
