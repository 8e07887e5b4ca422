/**
 * Test support for the recordings suites: a recorded call driven over NG against the real relay the way Kamailio
 * does it (offer with the call's metadata, answer, `start recording` at the 200 OK, RTP both ways with a tone per
 * side, delete), the users the mails name, made through the API, and a backend with a registrar, its relay and a
 * mail relay.
 */
import { Writable } from "node:stream";
import { startBackend, type Backend, type BackendOptions } from "../../backend/server.ts";
import { TERMS_VERSION } from "../../backend/catalogue/service.ts";
import type { SmtpSettings } from "../../backend/mail/settings.ts";
import { formatCallMetadata, type CallMetadata } from "../../recording/call-metadata.ts";
import { ngRequest, type NgAddress } from "../../registrar/relay/index.ts";
import { audioPort, pcmuSdp, udpSocket } from "../registrar/relay-handset.ts";
export { describeWithRelay } from "../registrar/with-relay.ts";
import { encodeG711, PCMU, rtpPacket, toneSamples } from "../recording/rtp-stream.ts";

export const CALLER_HZ = 440;
export const CALLEE_HZ = 1000;

/**
 * One recorded call through the relay: John's phone plays CALLER_HZ, the callee's CALLEE_HZ, from the answer
 * (`start recording`) for `durationMs`, then the call is deleted. Answers when recording started and ended.
 */
export async function recordedCall(
  ng: NgAddress,
  o: { callId: string; metadata: CallMetadata; durationMs: number },
): Promise<{ answeredAt: Date; hungUpAt: Date }> {
  const caller = await udpSocket();
  const callee = await udpSocket();
  const tags = { "call-id": o.callId, "from-tag": "caller-tag" };
  try {
    const offer = await ngRequest(ng, "offer", {
      ...tags,
      sdp: pcmuSdp(caller.address().port, 1),
      metadata: formatCallMetadata(o.metadata),
    });
    const answer = await ngRequest(ng, "answer", {
      ...tags,
      "to-tag": "callee-tag",
      sdp: pcmuSdp(callee.address().port, 2),
    });
    await ngRequest(ng, "start recording", { ...tags, "to-tag": "callee-tag" });
    const answeredAt = new Date();
    const toCallee = audioPort(offer.sdp); // where the callee sends
    const toCaller = audioPort(answer.sdp); // where the caller sends
    const packets = Math.round(o.durationMs / 20);
    const started = performance.now();
    for (let i = 0; i < packets; i++) {
      const packet = (hz: number, ssrc: number) =>
        rtpPacket({
          payloadType: PCMU,
          sequenceNumber: 100 + i,
          timestamp: 8000 + i * 160,
          ssrc,
          marker: i === 0,
          payload: encodeG711(PCMU, toneSamples(hz, i * 160, 160)),
        });
      caller.send(packet(CALLER_HZ, 0x1111), toCaller, "127.0.0.1");
      callee.send(packet(CALLEE_HZ, 0x2222), toCallee, "127.0.0.1");
      const next = started + (i + 1) * 20;
      await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
    }
    await ngRequest(ng, "delete", tags);
    return { answeredAt, hungUpAt: new Date() };
  } finally {
    caller.close();
    callee.close();
  }
}

/** John (201, recording on) and Mary (202), made through the API of the account `token` opens. */
export async function createJohnAndMary(
  url: string,
  token: string,
  recording: { email: string; subject: string },
): Promise<{ john: string; mary: string }> {
  const call = async <T>(method: string, path: string, body: unknown): Promise<T> => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const answer = (await res.json()) as T;
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(answer)}`);
    return answer;
  };
  const order = await call<{ subscriptions: { id: string }[] }>("POST", "/v1/orders", {
    termsVersion: TERMS_VERSION,
    items: [
      { product: "user-licence", callPlan: "international" },
      { product: "user-licence", callPlan: "international" },
    ],
  });
  const [johnLicence, maryLicence] = order.subscriptions.map((s) => s.id) as [string, string];
  const whoami = await fetch(`${url}/v1/whoami`, { headers: { authorization: `Bearer ${token}` } });
  const numbers = ((await whoami.json()) as { numbers: string[] }).numbers;
  const john = await call<{ id: string }>("POST", "/v1/users", {
    name: "John Smith",
    extension: "201",
    licenceId: johnLicence,
    areaPrefix: "020",
    outboundCallerId: numbers[0],
    recording: { enabled: true, ...recording },
  });
  const mary = await call<{ id: string }>("POST", "/v1/users", {
    name: "Mary Jones",
    extension: "202",
    licenceId: maryLicence,
    areaPrefix: "020",
    outboundCallerId: numbers[0],
  });
  return { john: john.id, mary: mary.id };
}

export const JOHN_RECORDING = { email: "john@example.com", subject: "Calls of John" };

/** John's call to Mary's extension, as Kamailio decides it at the call's start. */
export function johnCallsMary(johnId: string): CallMetadata {
  return { userId: johnId, extension: "201", dialled: "202", to: "202", kind: "extension", ...JOHN_RECORDING };
}

export interface RecordingBackend {
  backend: Backend;
  accountId: string;
  token: string;
  users: { john: string; mary: string };
  ng: NgAddress;
  logs(): string;
}

/** A backend with Kamailio, the relay and the mail outbox; an account in `timeZone` with John and Mary. */
export async function startRecordingBackend(o: {
  registrarDir: string;
  rtpPorts: { min: number; max: number };
  smtp: SmtpSettings;
  timeZone: string;
  retentionDays?: number;
  store?: BackendOptions["store"];
}): Promise<RecordingBackend> {
  let logs = "";
  const backend = await startBackend({
    store: o.store ?? { kind: "embedded", dataDir: null },
    rateLimit: null,
    logLevel: "info",
    logDestination: new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs += chunk.toString();
        done();
      },
    }),
    registrar: { dataDir: o.registrarDir },
    recording: {
      relayRtpPorts: o.rtpPorts,
      sweepMs: 200,
      ...(o.retentionDays ? { retentionDays: o.retentionDays } : {}),
    },
    mail: { smtp: o.smtp, retry: { baseMs: 100, capMs: 400 }, sweepMs: 200 },
  });
  if (backend.relay === null) throw new Error("the backend did not start the relay");
  const { accountId, token } = await backend.createAccount({
    name: "Recorded Ltd",
    timeZone: o.timeZone,
    numbers: ["+442079460000"],
  });
  const users = await createJohnAndMary(backend.url, token, JOHN_RECORDING);
  return {
    backend,
    accountId,
    token,
    users,
    ng: { host: backend.relay.host, port: backend.relay.ngPort },
    logs: () => logs,
  };
}

/** The start time as the mail must show it: day, month, year and time in `timeZone`, to the second. */
export function expectedStart(at: Date, timeZone: string): RegExp {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return new RegExp(
    `Started: ${get("day")} ${get("month")} ${get("year")}, ${get("hour")}:${get("minute")}:\\d\\d \\(${timeZone.replace("/", "\\/")}\\)`,
  );
}
