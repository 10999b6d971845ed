// GET /connections: the filterable and sortable fields of a connection.
import { type CollectionSpec, NEWEST_FIRST, recordFields, stampFields } from "./collection";
import type { Connection } from "../data/records";

export const CONNECTIONS_LIST: CollectionSpec<Connection> = {
  path: "/connections",
  defaultOrder: NEWEST_FIRST,
  fields: {
    ...recordFields(),
    "connectionSpec.id": { kind: "string", get: (c) => c.connectionSpec.id, sortable: true },
    "connectionSpec.version": { kind: "string", get: (c) => c.connectionSpec.version },
    "auth.specName": { kind: "string", get: (c) => c.auth?.specName },
    ...stampFields(),
  },
};
