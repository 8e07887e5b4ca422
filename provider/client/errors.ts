/**
 * Errors from the provisioning backend, classified once: an answer with a problem document
 * (`ApiError`, carrying the stable `code`, the field or holder it names) or no usable answer at all
 * (`TransportError`). Messages are for people running `pulumi up` and never contain the token.
 */
import type { Problem } from "../../schemas/problem.ts";

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
    const problem: Partial<Problem> = isProblem(body) ? body : { status, detail: typeof body === "string" ? body : undefined };
    const fields = (problem.fields ?? []).map((f) => `${f.path}: ${f.message} [${f.rule}]`);
    const what = problem.detail ?? problem.title ?? `HTTP ${status}`;
    const suffix = fields.length ? ` (${fields.join("; ")})` : "";
    return new ApiError(`${method} ${path} → ${status} ${problem.code ?? ""}: ${what}${suffix}`.replace(/ +:/, ":"), status, problem);
  }
}

const notSentCodes = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "UND_ERR_CONNECT_TIMEOUT"]);

export class TransportError extends Error {
  /** True when the request certainly never reached the backend (so repeating it is always safe). */
  readonly notSent: boolean;

  constructor(method: string, path: string, cause: unknown) {
    const code = (cause as { code?: string } | undefined)?.code;
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`${method} ${path}: the provisioning backend did not answer (${code ?? reason})`, { cause });
    this.name = "TransportError";
    this.notSent = code !== undefined && notSentCodes.has(code);
  }
}
