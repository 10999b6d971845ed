// GET /connections: the filterable and sortable fields of a connection.
import { type CollectionSpec, listCollection } from "./collection";
import { publicView } from "./connectionView";
import type { ApiRequest, Reply } from "./context";
import type { Services } from "./connections";
import type { Connection } from "./store";

const CONNECTIONS: CollectionSpec<Connection> = {
  path: "/connections",
  defaultOrder: [{ field: "createdAt", dir: -1 }], // newest first
  fields: {
    id: { kind: "string", get: (c) => c.id, sortable: true },
    name: { kind: "string", get: (c) => c.name, sortable: true },
    description: { kind: "string", get: (c) => c.description, sortable: true },
    state: { kind: "string", get: (c) => c.state, sortable: true },
    "connectionSpec.id": { kind: "string", get: (c) => c.connectionSpec.id, sortable: true },
    "connectionSpec.version": { kind: "string", get: (c) => c.connectionSpec.version },
    "auth.specName": { kind: "string", get: (c) => c.auth?.specName },
    createdAt: { kind: "number", get: (c) => c.createdAt, sortable: true },
    updatedAt: { kind: "number", get: (c) => c.updatedAt, sortable: true },
    createdBy: { kind: "string", get: (c) => c.createdBy },
    updatedBy: { kind: "string", get: (c) => c.updatedBy },
    createdClient: { kind: "string", get: (c) => c.createdClient },
    updatedClient: { kind: "string", get: (c) => c.updatedClient },
    sandboxName: { kind: "string", get: (c) => c.sandboxName },
  },
};

export function listConnections(req: ApiRequest, svc: Services): Reply {
  const rows = svc.store.list(req.caller.orgId, req.caller.sandboxName).map((e) => ({ item: e.connection, seq: e.seq }));
  return listCollection(req, rows, CONNECTIONS, publicView, { refuseRangeFilters: svc.config.refuseRangeFilters });
}
