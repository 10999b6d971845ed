// Error types the emulator raises, and the two reply shapes Adobe uses for them:
// the gateway's `{error_code, message}` and Flow Service's problem body.
import { randomUUID } from "crypto";

/** A Flow Service error: rendered as the problem body with type `.../FLOW-<code>-<status>`. */
export class FlowError extends Error {
  constructor(
    /** The numeric part of the documented code, e.g. "1404" for FLOW-1404-412. */
    readonly code: string,
    readonly status: number,
    readonly title: string,
    message: string,
    /** What the error is about; becomes report.id / report.type like Adobe's examples. */
    readonly resource?: { id: string; type: string },
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

// Constructors for the documented codes (titles as in Adobe's flow-service-errors catalogue), so
// every handler words the same error the same way.
const INVALID = "Invalid request";
export const errors = {
  invalidRequest: (message: string, details?: string) => new FlowError("1100", 400, INVALID, message, undefined, details),
  connectionNotFound: (id: string) =>
    new FlowError(
      "1101",
      404,
      "Resource not found",
      `The requested resource is not found. Error from flow provider: Resource with given id ${id} does not exist in this organization and sandbox.`,
      { id, type: "connections" },
    ),
  specNotFound: (id: string) =>
    new FlowError("1101", 404, "Resource not found", `The requested connection spec ${id} is not found.`, {
      id,
      type: "connectionSpecs",
    }),
  routeNotFound: (method: string, path: string) =>
    new FlowError("1101", 404, "Resource not found", `No Flow Service resource answers ${method} ${path}.`, {
      id: path,
      type: "route",
    }),
  methodNotAllowed: (method: string, path: string, allowed: string[]) =>
    new FlowError(
      "1100",
      405,
      "Method not allowed",
      `${method} is not supported on ${path}; supported: ${allowed.join(", ")}.`,
      { id: path, type: "route" },
      undefined,
      { Allow: allowed.join(", ") },
    ),
  unsupportedMediaType: (contentType: string) =>
    new FlowError(
      "1100",
      415,
      "Unsupported media type",
      `Content-Type '${contentType}' is not supported. Requests with a body must use Content-Type: application/json (PATCH also accepts application/json-patch+json).`,
    ),
  bodyTooLarge: (limit: number) =>
    new FlowError("1100", 413, "Payload too large", `The request body exceeds ${limit} bytes.`),
  limitWithCount: () =>
    new FlowError(
      "1401",
      400,
      INVALID,
      "The limit and count parameters cannot be given together in the same request. Please provide either only the limit or the count parameter and try again.",
    ),
  ifMatchMissing: (id: string) =>
    new FlowError(
      "1403",
      400,
      "Header is missing",
      "The header 'If-Match' is missing in the request. Please provide the header and try again.",
      { id, type: "connections" },
    ),
  versionMismatch: (id: string, message: string) =>
    new FlowError("1404", 412, "Version not matching", message, { id, type: "connections" }),
  emptyBody: () =>
    new FlowError("1405", 400, INVALID, "The request body cannot be null or empty. Please provide a request body and try again."),
  badSpecId: (message: string) => new FlowError("1413", 400, INVALID, message),
  specNotUpdatable: (path: string, id?: string) =>
    new FlowError(
      "1414",
      400,
      INVALID,
      `The connection spec of a connection cannot be updated (patch path '${path}').`,
      id ? { id, type: "connections" } : undefined,
    ),
  authSpecNotFound: (specName: string, specId: string, valid: string[]) =>
    new FlowError(
      "1415",
      400,
      INVALID,
      `The auth spec '${specName}' could not be found for the connection spec ID ${specId}. ${
        valid.length > 0 ? `Valid auth spec names: ${valid.map((n) => `'${n}'`).join(", ")}.` : "This connector takes no auth: omit auth."
      }`,
    ),
  wrongState: (id: string, state: string, action: "Update" | "Delete") =>
    new FlowError(
      "1416",
      400,
      INVALID,
      `Delete or Update can only be applied on connection with enabled, disabled or initializing state. ${action} of connection ${id} refused: its state is '${state}'.`,
      { id, type: "connections" },
    ),
  usedByFlows: (id: string) =>
    new FlowError(
      "1418",
      400,
      INVALID,
      `The base connection with the ID ${id} cannot be deleted because the base connection is being used in one or more flows. Please ensure that corresponding flows are deleted before deleting a base connection.`,
      { id, type: "connections" },
    ),
  unsupportedOp: (op: string, id?: string) =>
    new FlowError(
      "1434",
      400,
      INVALID,
      `Unsupported operation '${op}' received. Please use one of the supported operation types (add, replace, remove) and try again.`,
      id ? { id, type: "connections" } : undefined,
    ),
  testUnsupported: (id: string, connector: string) =>
    new FlowError(
      "1100",
      400,
      INVALID,
      `Test connection is not supported for this connector (${connector}); connection ${id} cannot be tested.`,
      { id, type: "connections" },
    ),
  /** Validation of patch instructions, and (here) of a create body; `problems` names each field. */
  validation: (problems: string[]) =>
    new FlowError(
      "1455",
      400,
      INVALID,
      `An error has occurred while validating the request: ${problems.join("; ")}.`,
      undefined,
      problems.join("\n"),
    ),
  patchValidation: (problems: string[], id?: string) =>
    new FlowError(
      "1455",
      400,
      INVALID,
      `An error has occurred while validating patch instructions: ${problems.join("; ")}.`,
      id ? { id, type: "connections" } : undefined,
      problems.join("\n"),
    ),
  sandboxMissing: () =>
    new FlowError(
      "2105",
      400,
      "Header is missing",
      "The header x-sandbox-name is missing in the request. Please add the header in the request and try again.",
    ),
  sandboxNotFound: (name: string) =>
    new FlowError(
      "2100",
      404,
      "Sandbox not found",
      `The sandbox with the name '${name}' could not be found. Please ensure that the sandbox name is correct (sandbox names are lowercase letters, digits and hyphens) and try again.`,
    ),
  // Query-parameter errors, with the catalogue's codes.
  badSortOrder: (value: string) =>
    new FlowError(
      "1432",
      400,
      INVALID,
      `Sort order specified is not correct in orderby='${value}', prepend + for ascending order and - for descending order in the fieldName.`,
    ),
  badSortField: (field: string, allowed: string[]) =>
    new FlowError(
      "1433",
      400,
      INVALID,
      `Incorrect field= ${field} passed in orderBy, example are +name, -name, name. Sortable fields: ${allowed.join(", ")}.`,
    ),
  operatorNotImplemented: (op: string) => new FlowError("1440", 400, INVALID, `Operator '${op}' not implemented.`),
  operatorMultipleValues: (op: string, field: string) =>
    new FlowError("1443", 400, INVALID, `Operator '${op}' is not allowed for multiple values (field ${field}).`),
  operatorNotForField: (op: string, field: string) =>
    new FlowError("1448", 400, INVALID, `Operator ${op} not supported for field ${field}.`),
  badFilterField: (field: string, allowed: string[]) =>
    new FlowError("1449", 400, INVALID, `Invalid field ${field} in filter params. Filterable fields: ${allowed.join(", ")}.`),
  badFilterOperator: (op: string) => new FlowError("1450", 400, INVALID, `Invalid operator ${op} in filter params.`),
  badQueryParam: (param: string, why: string) =>
    new FlowError("1451", 400, INVALID, `Invalid params ${param} provided in query params: ${why}`),
  badFilterValue: (value: string, field: string) =>
    new FlowError("1452", 400, INVALID, `Invalid value ${value} for field ${field}.`),
  badFilterExpression: (expr: string) =>
    new FlowError(
      "1453",
      400,
      INVALID,
      `Invalid query value ${expr} provided in query param. Expected property=<field><op><value> with op one of ==, !=, >, <, >=, <=.`,
    ),
  /** What a service without range filters on this collection answers (see refuseRangeFilters). */
  rangeFilterRefused: (expr: string) =>
    new FlowError(
      "1453",
      400,
      INVALID,
      `Invalid query value ${expr} provided in query param. Range operators (>, <, >=, <=) are not supported on this resource; filter with == or != and narrow the results on the client.`,
    ),
  internal: (message: string) =>
    new FlowError(
      "1102",
      500,
      "Internal Error",
      `An internal error has occurred. Please try again. If the problem persists, please contact customer support. (${message})`,
    ),
};
