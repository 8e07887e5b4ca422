/**
 * Errors from the provisioning backend, classified once: an answer with a problem document
 * (`ApiError`, carrying the stable `code`, the field or holder it names) or no usable answer at all
 * (`TransportError`). Messages are for people running `pulumi up` and never contain the token.
 */

export interface ProblemDocument {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  errors?: { path?: string; field?: string; rule?: string; message?: string }[];
  [extension: string]: unknown;
}

function isProblem(body: unknown): body is ProblemDocument {
  return typeof body === "object" && body !== null && ("code" in body || "title" in body || "detail" in body);
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly problem: ProblemDocument;

  constructor(message: string, status: number, problem: ProblemDocument) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = problem.code ?? `http-${status}`;
    this.problem = problem;
  }

  static from(method: string, path: string, status: number, body: unknown): ApiError {
    const problem: ProblemDocument = isProblem(body) ? body : { status, detail: typeof body === "string" ? body : undefined };
    const fields = (problem.errors ?? [])
      .map((e) => [e.path ?? e.field, e.message ?? e.rule].filter(Boolean).join(": "))
      .filter(Boolean);
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
