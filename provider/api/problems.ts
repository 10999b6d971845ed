// Flow Service replies into values or typed errors: both error body shapes (the gateway's
// `{error_code, message}` and Flow Service's problem body, old and new), replies validated with zod,
// and every secret the process has sent redacted from whatever a reply echoes.
import { z } from "zod";
import { ApiError, BadReplyError, ErrorCode } from "../core/errors";
import { GatewayErrorBody, ProblemBody } from "../core/schemas";
import { parseJson, redact, snippet } from "./redact";
import type { HttpReply } from "./transport";

/** A 2xx reply's body, validated; a BadReplyError names what does not match. */
export function parseReply<T extends z.ZodTypeAny>(schema: T, reply: HttpReply, operation: string, secrets: readonly string[]): z.infer<T> {
  const json = parseJson(reply.text);
  if (json === undefined) {
    throw new BadReplyError(`${operation}: HTTP ${reply.status} with ${snippet(redact(reply.text, secrets))}; expected JSON`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; ");
    throw new BadReplyError(`${operation}: the reply does not match Flow Service's documented shape (${issues})`);
  }
  return parsed.data;
}

/** What a user fixes for a gateway code whose message names no setting. */
const GATEWAY_HINTS: Record<string, string> = {
  "403025":
    " (the gateway refused the organization sent as x-gw-ims-org-id for these credentials: check that flowservice:orgId, or AEP_ORG_ID, is the organization of the client id, such as 1234ABCD@AdobeOrg)",
};

/** The typed error for a non-2xx reply, with its code, title, message and request id. */
export function apiErrorFrom(reply: HttpReply, operation: string, secrets: readonly string[]): ApiError {
  const json = parseJson(reply.text);
  const requestIdHeader = reply.headers.get("x-request-id") ?? undefined;
  let apiCode: string | undefined;
  let title: string | undefined;
  let detail: string | undefined;
  let requestId = requestIdHeader;
  const gateway = GatewayErrorBody.safeParse(json);
  const problem = ProblemBody.safeParse(json);
  if (gateway.success) {
    apiCode = gateway.data.error_code;
    detail = gateway.data.message + (GATEWAY_HINTS[apiCode] ?? "");
  } else if (problem.success && json !== undefined) {
    const p = problem.data;
    apiCode = p.type?.match(/(FLOW-\d+-\d+)$/)?.[1];
    title = p.title;
    detail =
      [p.report?.["detailed-message"] ?? p.errorMessage ?? p.message, p.errorDetails]
        .filter((s, i, all) => s && all.indexOf(s) === i)
        .join(" — ") || undefined;
    requestId = p.report?.["request-id"] ?? requestIdHeader;
  } else {
    // Redacted before it is shortened: a cut must not leave the start of a secret behind.
    detail = snippet(redact(reply.text, secrets));
  }
  return new ApiError(
    errorCodeOf(reply.status, apiCode),
    reply.status,
    apiCode,
    title && redact(title, secrets),
    detail && redact(detail, secrets),
    requestId,
    operation,
  );
}

function errorCodeOf(status: number, apiCode: string | undefined): ErrorCode {
  if (status === 401 || status === 403) return "AUTH";
  if (status === 404) return "NOT_FOUND";
  if (status === 412) return "CONFLICT";
  if (apiCode?.startsWith("FLOW-1418")) return "IN_USE";
  return "API";
}
