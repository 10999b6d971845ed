// What the service stamps on every entity: ids, etags, sandbox ids, who and when.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { type ApiRequest, header } from "./context";
import type { Stamp } from "./records";

/** A fresh etag in the shape Flow Service uses (a Cosmos DB etag), literal double quotes included. */
export function newEtag(previous?: string): string {
  for (;;) {
    const seconds = Math.floor(Date.now() / 1000)
      .toString(16)
      .padStart(8, "0");
    const etag = `"${randomBytes(4).toString("hex")}-0000-0200-0000-${seconds}0000"`;
    if (etag !== previous) return etag;
  }
}

/** A stable, uuid-shaped sandbox id for an org's sandbox name (same across restarts). */
function sandboxIdFor(orgId: string, sandboxName: string): string {
  const h = createHash("sha256").update(`sandbox:${orgId}:${sandboxName}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Who makes a change: `<clientId>@AdobeID` and the x-api-key for a service token; a user and exc_app in the UI. */
export interface Actor {
  by: string;
  client: string;
}

export function actorOf(req: ApiRequest): Actor {
  return { by: `${req.caller.clientId}@AdobeID`, client: header(req.headers, "x-api-key") ?? req.caller.clientId };
}

/** The stamp of a new entity created by this request. */
export function newStamp(req: ApiRequest): Stamp {
  const { caller } = req;
  const actor = actorOf(req);
  const now = Date.now();
  const etag = newEtag();
  return {
    id: randomUUID(),
    createdAt: now,
    updatedAt: now,
    createdBy: actor.by,
    updatedBy: actor.by,
    createdClient: actor.client,
    updatedClient: actor.client,
    sandboxId: sandboxIdFor(caller.orgId, caller.sandboxName),
    sandboxName: caller.sandboxName,
    imsOrgId: caller.orgId,
    version: etag,
    etag,
  };
}

/** The stamp fields after a write by `actor`: a new etag, updatedAt strictly later (even within one millisecond). */
export function touched(s: Stamp, actor: Actor): Pick<Stamp, "updatedAt" | "updatedBy" | "updatedClient" | "version" | "etag"> {
  const etag = newEtag(s.etag);
  return { updatedAt: Math.max(Date.now(), s.updatedAt + 1), updatedBy: actor.by, updatedClient: actor.client, version: etag, etag };
}

/** Who and when, as every entity's GET shows it (in the service's key order). */
export function auditView(s: Stamp): Record<string, unknown> {
  return {
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    createdBy: s.createdBy,
    updatedBy: s.updatedBy,
    createdClient: s.createdClient,
    updatedClient: s.updatedClient,
    sandboxId: s.sandboxId,
    sandboxName: s.sandboxName,
    imsOrgId: s.imsOrgId,
  };
}
