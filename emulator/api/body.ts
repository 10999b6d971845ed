// Request bodies of the Flow Service routes: JSON only, parse errors that never quote the body.
import type { z } from "zod";
import { type ApiRequest, header } from "../data/context";
import { errors } from "./errors";

/** Reads a JSON request body; "" → undefined. Only JSON content types are accepted (415 otherwise). */
export function readJson(req: ApiRequest, allowJsonPatch: boolean): unknown {
  if (req.rawBody.trim() === "") return undefined;
  const contentType = (header(req.headers, "content-type") ?? "").split(";")[0].trim().toLowerCase();
  const accepted = contentType === "application/json" || (allowJsonPatch && contentType === "application/json-patch+json");
  if (!accepted) throw errors.unsupportedMediaType(contentType || "(none)");
  try {
    return JSON.parse(req.rawBody);
  } catch (e) {
    // Not JSON.parse's message: it quotes the body, which may hold a secret.
    const position = /position (\d+)/.exec((e as Error).message);
    throw errors.invalidRequest(`The request body is not valid JSON${position ? ` (error at position ${position[1]})` : ""}.`);
  }
}

/** One message per zod issue, each naming its field ("name is required", "auth.params: ..."). */
export function zodProblems(error: z.ZodError): string[] {
  return error.issues.map((i) => {
    const field = i.path.join(".") || "body";
    return /received undefined/.test(i.message) ? `${field} is required` : `${field}: ${i.message}`;
  });
}
