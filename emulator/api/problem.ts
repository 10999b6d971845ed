// Error types the emulator raises, and the two reply shapes Adobe uses for them:
// the gateway's `{error_code, message}` and Flow Service's problem body. The codes: errors.ts.
import { randomUUID } from "node:crypto";

/** The entity an error is about (report.id / report.type of the problem body). */
export interface Resource {
  id: string;
  type: string;
}

/** A Flow Service error: rendered as the problem body with type `.../FLOW-<code>-<status>`. */
export class FlowError extends Error {
  constructor(
    /** The numeric part of the documented code, e.g. "1404" for FLOW-1404-412. */
    readonly code: string,
    readonly status: number,
    readonly title: string,
    message: string,
    /** What the error is about; becomes report.id / report.type like Adobe's examples. */
    readonly resource?: Resource,
    /** Extra detail for errorDetails (defaults to the message). */
    readonly details?: string,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

/** An error the API gateway (not Flow Service) answers, before the request reaches the service. */
export class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

export const PROBLEM_TYPE_PREFIX = "https://ns.adobe.com/aep/errors/FLOW-";

export function problemBody(err: FlowError, requestId: string): Record<string, unknown> {
  return {
    type: `${PROBLEM_TYPE_PREFIX}${err.code}-${err.status}`,
    title: err.title,
    status: err.status,
    report: {
      "detailed-message": err.message,
      "request-id": requestId,
      id: err.resource?.id ?? randomUUID(),
      type: err.resource?.type ?? "request",
    },
    errorMessage: err.message,
    errorDetails: err.details ?? err.message,
  };
}

export function gatewayBody(err: GatewayError): Record<string, unknown> {
  return { error_code: err.errorCode, message: err.message };
}
