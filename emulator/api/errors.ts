// Constructors for Adobe's documented Flow Service error codes (titles and wording as in the
// flow-service-errors catalogue), so every handler words the same error the same way.
import { FlowError, type Resource } from "./problem";

export { FlowError, GatewayError, PROBLEM_TYPE_PREFIX, type Resource, gatewayBody, problemBody } from "./problem";

/** What an error is about: an id alone means a base connection. */
export type About = string | Resource;
export const about = (a?: About): Resource | undefined =>
  a === undefined ? undefined : typeof a === "string" ? { id: a, type: "connections" } : a;

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
  specNotFound: (id: string, type: "connectionSpecs" | "flowSpecs" = "connectionSpecs") =>
    new FlowError(
      "1101",
      404,
      "Resource not found",
      `The requested ${type === "flowSpecs" ? "flow" : "connection"} spec ${id} is not found.`,
      {
        id,
        type,
      },
    ),
  /** A source or target connection. */
  entityNotFound: (id: string, type: string) =>
    new FlowError(
      "1101",
      404,
      "Resource not found",
      `The requested resource is not found. Error from flow provider: Resource with given id ${id} does not exist in this organization and sandbox.`,
      { id, type },
    ),
  flowNotFound: (id: string) =>
    new FlowError(
      "1439",
      404,
      "Resource not found",
      `The requested flows resource ${id} is not found. Verify the resource ID before trying again.`,
      {
        id,
        type: "flows",
      },
    ),
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
  bodyTooLarge: (limit: number) => new FlowError("1100", 413, "Payload too large", `The request body exceeds ${limit} bytes.`),
  limitWithCount: () =>
    new FlowError(
      "1401",
      400,
      INVALID,
      "The limit and count parameters cannot be given together in the same request. Please provide either only the limit or the count parameter and try again.",
    ),
  ifMatchMissing: (a: About) =>
    new FlowError(
      "1403",
      400,
      "Header is missing",
      "The header 'If-Match' is missing in the request. Please provide the header and try again.",
      about(a),
    ),
  versionMismatch: (a: About, message: string) => new FlowError("1404", 412, "Version not matching", message, about(a)),
  emptyBody: () =>
    new FlowError("1405", 400, INVALID, "The request body cannot be null or empty. Please provide a request body and try again."),
  badSpecId: (message: string) => new FlowError("1413", 400, INVALID, message),
  /** 1414: a connection's connectionSpec; used the same way for a flow's flowSpec. */
  specNotUpdatable: (path: string, a?: About, what = "connection spec of a connection") =>
    new FlowError("1414", 400, INVALID, `The ${what} cannot be updated (patch path '${path}').`, about(a)),
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
  usedByFlows: (id: string, detail = "") =>
    new FlowError(
      "1418",
      400,
      INVALID,
      `The base connection with the ID ${id} cannot be deleted because the base connection is being used in one or more flows. Please ensure that corresponding flows are deleted before deleting a base connection.${detail}`,
      { id, type: "connections" },
    ),
  stateInCreate: () =>
    new FlowError(
      "1410",
      400,
      INVALID,
      "`State` is not allowed in the create flow request. Flows are created enabled; use POST /flows/{id}/action?op=DISABLE.",
    ),
  usedByFlow: (id: string, type: string, flowIds: string[]) =>
    new FlowError("1447", 400, INVALID, `Found active flows containing id ${id}. Delete these flows first: ${flowIds.join(", ")}.`, {
      id,
      type,
    }),
  providerOnlyAction: (op: string, id: string) =>
    new FlowError("1402", 400, INVALID, `The action '${op.toLowerCase()}' is supported for provider requests only.`, { id, type: "flows" }),
  unsupportedAction: (op: string, id: string) =>
    new FlowError(
      "1434",
      400,
      INVALID,
      `Unsupported operation '${op}' received. Please use one of the supported operation types (ENABLE, DISABLE) and try again.`,
      { id, type: "flows" },
    ),
  actionNotApplicable: (op: string, state: string, id: string) =>
    new FlowError(
      "1422",
      400,
      INVALID,
      `The action ${op.toLowerCase()} cannot be applied on the current state ${state}. Please update the action and try again.`,
      { id, type: "flows" },
    ),
  unsupportedOp: (op: string, a?: About) =>
    new FlowError(
      "1434",
      400,
      INVALID,
      `Unsupported operation '${op}' received. Please use one of the supported operation types (add, replace, remove) and try again.`,
      about(a),
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
  patchValidation: (problems: string[], a?: About) =>
    new FlowError(
      "1455",
      400,
      INVALID,
      `An error has occurred while validating patch instructions: ${problems.join("; ")}.`,
      about(a),
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
  badFilterValue: (value: string, field: string) => new FlowError("1452", 400, INVALID, `Invalid value ${value} for field ${field}.`),
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
