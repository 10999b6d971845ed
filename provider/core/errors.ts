// Typed errors. Each has a stable `code` so callers (and tests) branch on it, never on text.
// Pulumi shows users an error's `message` only, so every message is complete on its own.

export type ErrorCode =
  | "CONFIG"
  | "VALIDATION"
  | "API"
  | "AUTH"
  | "CONFLICT"
  | "NOT_FOUND"
  | "NETWORK"
  | "BAD_REPLY"
  | "IN_USE"
  | "REFUSED"
  | "UNVERIFIED"
  | "DUPLICATE"
  | "UNCONFIRMED"
  | "OTHER_ORIGIN";

export class FlowServiceProviderError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The provider's configuration is missing or wrong. */
export class ConfigError extends FlowServiceProviderError {
  constructor(message: string) {
    super("CONFIG", message);
  }
}

/** An error reply from Flow Service, the Adobe gateway, or IMS. */
export class ApiError extends FlowServiceProviderError {
  constructor(
    code: ErrorCode,
    readonly status: number,
    /** Flow Service code such as `FLOW-1404-412`, or a gateway code such as `401013`. */
    readonly apiCode: string | undefined,
    readonly title: string | undefined,
    readonly detail: string | undefined,
    readonly requestId: string | undefined,
    readonly operation: string,
  ) {
    super(
      code,
      `${operation} failed: HTTP ${status}` +
        (apiCode ? ` ${apiCode}` : "") +
        (title ? ` ${title}` : "") +
        (detail ? `: ${detail}` : "") +
        (requestId ? ` (request id ${requestId})` : ""),
    );
  }
}

/** The connection changed since the etag in state was recorded (HTTP 412). */
export class ConflictError extends FlowServiceProviderError {
  constructor(
    message: string,
    readonly connectionId: string,
    readonly stateEtag: string,
    readonly liveEtag: string | undefined,
  ) {
    super("CONFLICT", message);
  }
}

/** No reply (connection reset, DNS, refused, or none within the timeout). */
export class NetworkError extends FlowServiceProviderError {
  constructor(
    message: string,
    /** The client stopped waiting: Flow Service may still process the request. */
    readonly timedOut = false,
    /** The request never left this machine (connection refused, host not found): nothing was applied. */
    readonly notSent = false,
  ) {
    super("NETWORK", message);
  }
}

/** A reply that is not what Flow Service documents (not JSON, a field missing or of the wrong type). */
export class BadReplyError extends FlowServiceProviderError {
  constructor(message: string) {
    super("BAD_REPLY", message);
  }
}

/**
 * The source system refused credentials that were just written (GET /connections/{id}/test said
 * false). `recorded`, when present, is what the engine must record in state although the
 * operation failed (a partial failure): the connection exists, or its version changed.
 */
export class CredentialsRefusedError extends FlowServiceProviderError {
  constructor(
    message: string,
    readonly connectionId: string,
    /** The refused write was undone (rolled back, or the new connection deleted). */
    readonly undone: boolean,
    readonly recorded?: { id: string; outs: Record<string, unknown> },
    /** UNVERIFIED: the write stands but could not be tested (requireVerifiedCredentials); AUTH: our own client was refused. */
    code: "REFUSED" | "UNVERIFIED" | "AUTH" = "REFUSED",
  ) {
    super(code, message);
  }
}

/**
 * A read met a 404 that does not prove the object is gone: an unknown route (a wrong
 * flowservice:endpoint), a sandbox Flow Service does not know, a body without the documented
 * not-found shape, or a sandbox not confirmed to exist for these credentials. Refresh fails and
 * the state keeps the object: nothing is concluded from doubt.
 */
export class UnconfirmedMissError extends FlowServiceProviderError {
  constructor(message: string) {
    super("UNCONFIRMED", message);
  }
}

/**
 * The object was created under another org or Flow Service endpoint than the stack's
 * configuration now names: reading, updating or deleting it there is refused (moving is an
 * explicit act, not a side effect of a configuration change).
 */
export class OtherOriginError extends FlowServiceProviderError {
  constructor(message: string) {
    super("OTHER_ORIGIN", message);
  }
}
