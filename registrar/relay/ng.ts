/**
 * A client of rtpengine's NG control protocol: one UDP datagram `<cookie> <bencoded dictionary>` per
 * request, `{ command, ...fields }`, answered by `<cookie> <bencoded dictionary>` with a `result` ("ok",
 * "pong", "error" with an `error-reason`). The same cookie is sent again until an answer comes: rtpengine
 * keeps the answers of recent cookies, so a retransmitted `offer` is answered, not run twice.
 */
import { randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import { bdecode, bencode } from "./bencode.ts";
import type { Bencode, BencodeDict } from "./bencode.ts";
import { RelayCommandError, RelayTimeoutError } from "./errors.ts";

export interface NgAddress {
  host: string;
  port: number;
}

export interface NgRequestOptions {
  /** Give up after this long; default 3000 ms. */
  timeoutMs?: number;
  /** Send the request again after this long without an answer; default 500 ms. */
  retransmitMs?: number;
}

/** An answer whose `result` is not "error". */
export type NgAnswer = BencodeDict & { result: string };

/**
 * Sends `command` with `fields` (e.g. `offer` with `call-id`, `from-tag`, `sdp`, `record call: "yes"`)
 * and resolves with the answer; throws `RelayCommandError` when the relay answers "error" and
 * `RelayTimeoutError` when it does not answer in time.
 */
export async function ngRequest(
  address: NgAddress,
  command: string,
  fields: BencodeDict = {},
  options: NgRequestOptions = {},
): Promise<NgAnswer> {
  const timeoutMs = options.timeoutMs ?? 3_000;
  const retransmitMs = options.retransmitMs ?? 500;
  const cookie = randomBytes(8).toString("hex");
  const request = Buffer.concat([Buffer.from(`${cookie} `), bencode({ ...fields, command })]);
  const socket = createSocket(address.host.includes(":") ? "udp6" : "udp4");
  let retransmit: NodeJS.Timeout | undefined;
  let deadline: NodeJS.Timeout | undefined;
  try {
    return await new Promise<NgAnswer>((settle, fail) => {
      socket.on("error", fail);
      socket.on("message", (message) => {
        const space = message.indexOf(0x20);
        if (space < 0 || message.toString("latin1", 0, space) !== cookie) return; // not ours
        let answer: Bencode;
        try {
          answer = bdecode(message.subarray(space + 1));
        } catch (error) {
          fail(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        if (typeof answer !== "object" || Array.isArray(answer) || typeof answer.result !== "string") {
          fail(new RelayCommandError(command, "an answer without a result"));
          return;
        }
        if (answer.result === "error") {
          const reason = answer["error-reason"];
          fail(new RelayCommandError(command, typeof reason === "string" ? reason : "no reason given"));
          return;
        }
        settle(answer as NgAnswer);
      });
      // Not connected: a relay not (yet) listening is retried until the deadline instead of failing at once.
      const send = (): void => socket.send(request, address.port, address.host);
      socket.bind(0, () => {
        send();
        retransmit = setInterval(send, retransmitMs);
      });
      deadline = setTimeout(
        () => fail(new RelayTimeoutError(command, `${address.host}:${address.port}`, timeoutMs)),
        timeoutMs,
      );
    });
  } finally {
    clearInterval(retransmit);
    clearTimeout(deadline);
    socket.close();
  }
}

/** Resolves once the relay answers `ping` with `pong`. */
export async function pingRelay(address: NgAddress, options: NgRequestOptions = {}): Promise<void> {
  const answer = await ngRequest(address, "ping", {}, options);
  if (answer.result !== "pong") throw new RelayCommandError("ping", `answered "${answer.result}"`);
}
