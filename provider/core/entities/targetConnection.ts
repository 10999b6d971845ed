// A target connection: where a dataflow writes (for the Data Lake, a dataset and its XDM schema).
// POST /targetConnections {name, description?, baseConnectionId?, connectionSpec, data, params}
// (flow-service.yaml CreateTargetConnectionRequest); see connectionLike.ts for what a PATCH may change.
// `params.dataSetId` also forces a replacement: the dataset is what the target connection is.
import { z } from "zod";
import type { CheckFailure } from "../unknown";
import { UNKNOWN } from "../unknown";
import { connectionLike, ConnectionLikeInputs } from "./connectionLike";

/** The Data Lake connection spec: the target of every sources tutorial. */
const DATA_LAKE_SPEC = "c604ff05-7f1a-43c0-8e18-33bf874cb11c";

const TargetConnectionInputs = ConnectionLikeInputs.extend({
  data: z
    .object({
      format: z.string().min(1, { message: "must name the data format, e.g. parquet_xdm" }).optional(),
      schema: z.object({ id: z.string().min(1, { message: "must be the XDM schema's $id" }), version: z.string().optional() }).optional(),
    })
    .catchall(z.json())
    .optional(),
});
type TargetConnectionInputs = z.infer<typeof TargetConnectionInputs>;

function dataLakeRules(raw: Record<string, unknown>): CheckFailure[] {
  const spec = raw.connectionSpec as { id?: unknown } | undefined;
  if (spec?.id !== DATA_LAKE_SPEC) return [];
  const params = raw.params as Record<string, unknown> | undefined;
  if (params === (UNKNOWN as unknown)) return [];
  const dataSetId = params?.dataSetId;
  if (dataSetId === UNKNOWN || (typeof dataSetId === "string" && dataSetId !== "")) return [];
  return [
    {
      property: "params.dataSetId",
      reason: "is required by the Data Lake target connection: the id of the dataset to write to (Catalog API), e.g. from stack config",
    },
  ];
}

export const targetConnection = connectionLike<TargetConnectionInputs>({
  kind: "TargetConnection",
  label: "Target connection",
  collection: "targetConnections",
  inputs: TargetConnectionInputs,
  replaceParams: ["dataSetId"],
  validate: dataLakeRules,
  inUseHint: "a dataflow still writes to it: delete that dataflow or point its targetConnectionIds at another target connection first",
});
