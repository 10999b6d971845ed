// A source connection: what to read through a base connection (a file path, a table).
// POST /sourceConnections {name, description?, baseConnectionId?, connectionSpec, data, params}
// (flow-service.yaml CreateSourceConnectionRequest); see connectionLike.ts for what a PATCH may change.
import { z } from "zod";
import { connectionLike, ConnectionLikeInputs } from "./connectionLike";

const SourceConnectionInputs = ConnectionLikeInputs.extend({
  /** `format`: delimited, json, parquet (files) or tabular (tables); other members as the connector documents. */
  data: z
    .object({ format: z.string().min(1, { message: "must name the data format, e.g. delimited" }).optional() })
    .catchall(z.json())
    .optional(),
});
type SourceConnectionInputs = z.infer<typeof SourceConnectionInputs>;

export const sourceConnection = connectionLike<SourceConnectionInputs>({
  kind: "SourceConnection",
  label: "Source connection",
  collection: "sourceConnections",
  inputs: SourceConnectionInputs,
  inUseHint: "a dataflow still reads from it: delete that dataflow or point its sourceConnectionIds at another source connection first",
});
