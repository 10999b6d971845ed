// GET /connections: the filterable and sortable fields of a connection.
import { type CollectionSpec, stampFields } from "./collection";
import type { Connection } from "../data/records";

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
    ...stampFields(),
  },
};
