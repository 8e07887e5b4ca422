/**
 * Errors from the provisioning backend, classified once: an answer with a problem document
 * (`ApiError`, carrying the stable `code`, the field or holder it names) or no usable answer at all
 * (`TransportError`). Messages are for people running `pulumi up` and never contain the token.
 */
import type { Problem } from "../schemas/problem.ts";

export type { Problem };

function isProblem(body: unknown): body is Problem {
  return typeof body === "object" && body !== null && "code" in body && "status" in body;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly problem: Partial<Problem>;

  constructor(message: string, status: number, problem: Partial<Problem>) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = problem.code ?? `http-${status}`;
    this.problem = problem;
  }

  static from(method: string, path: string, status: number, body: unknown): ApiError {
    const problem: Partial<Problem> = isProblem(body)
      ? body
      : { status, detail: typeof body === "string" ? body : undefined };
    const fields = (problem.fields ?? []).map((f) => `${f.path}: ${f.message} [${f.rule}]`);
    const what = problem.detail ?? problem.title ?? `HTTP ${status}`;
    const suffix = fields.length ? ` (${fields.join("; ")})` : "";
    return new ApiError(
      `${method} ${path} → ${status} ${problem.code ?? ""}: ${what}${suffix}`.replace(/ +:/, ":"),
      status,
      problem,
    );
  }
}

const notSentCodes = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "UND_ERR_CONNECT_TIMEOUT"]);
const timeoutCodes = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);
const closedCodes = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CLOSED"]);

function isTimeout(cause: unknown): boolean {
  const error = cause as { code?: unknown; name?: unknown } | undefined;
  return (
    error?.name === "TimeoutError" ||
    error?.name === "AbortError" ||
    (typeof error?.code === "string" && timeoutCodes.has(error.code))
  );
}

/** What went wrong, in words: never an internal code such as `23` or `UND_ERR_SOCKET`. */
function inWords(cause: unknown, waitedMs: number | undefined): string {
  const error = cause as { code?: unknown; message?: unknown } | undefined;
  const code = typeof error?.code === "string" ? error.code : undefined;
  const seconds =
    waitedMs === undefined
      ? undefined
      : waitedMs >= 1000
        ? Math.round(waitedMs / 1000)
        : Math.round(waitedMs / 100) / 10;
  if (isTimeout(cause)) return seconds === undefined ? "did not answer in time" : `did not answer within ${seconds} s`;
  if (code === "ECONNREFUSED") return "refused the connection (nothing is listening there)";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "could not be found (its host name does not resolve)";
  if (code === "UND_ERR_CONNECT_TIMEOUT") return "could not be connected to in time";
  if (code !== undefined && closedCodes.has(code)) return "closed the connection before answering";
  const message = typeof error?.message === "string" && error.message !== "" ? error.message : String(cause);
  return `could not be reached (${message})`;
}

export class TransportError extends Error {
  /** True when the request certainly never reached the backend (so repeating it is always safe). */
  readonly notSent: boolean;
  /** True when the backend took longer to answer than the request's deadline allowed. */
  readonly timedOut: boolean;

  /**
   * `waitedMs`: how long the request's attempts took, for a timeout's message. `write`: the request changes
   * something, so an answer that never came leaves its outcome unknown unless it was certainly not sent.
   */
  constructor(method: string, path: string, cause: unknown, context: { waitedMs?: number; write?: boolean } = {}) {
    const code = (cause as { code?: string } | undefined)?.code;
    const notSent = code !== undefined && notSentCodes.has(code);
    const what = `the provisioning backend ${inWords(cause, context.waitedMs)}`;
    super(
      context.write && !notSent
        ? `${method} ${path}: outcome unknown: ${what}, so the change may or may not have been made; run the command again (it picks up what was made)`
        : `${method} ${path}: ${what}`,
      { cause },
    );
    this.name = "TransportError";
    this.notSent = notSent;
    this.timedOut = isTimeout(cause);
  }
}
