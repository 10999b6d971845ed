// GET /connections: the filterable and sortable fields of a connection.
import type { CollectionSpec } from "./collection";
import type { Connection } from "./records";

export const CONNECTIONS_LIST: CollectionSpec<Connection> = {
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
