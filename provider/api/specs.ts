// The connectors' live specs (GET /connectionSpecs/{id}): the authority on which auth specs and
// params a connector has, where the offline catalog (core/catalog.ts) can only warn. Read at most
// once per connector per run (the session is the run's), and only when a description asks
// (EntityDescription.liveCheck: a Connection whose params the catalog has doubts about). Check,
// which previews run, stays offline: a preview warns, and `up` refuses here, before any write.
import { z } from "zod";
import type { LiveConnector } from "../core/catalog";
import type { AnyDescription, CommonInputs } from "../core/entity";
import { FlowServiceProviderError } from "../core/errors";
import type { CallOptions, FlowServiceClient } from "./client";

/** A connection spec as Flow Service returns it: what the rules read, unknown members kept. */
export const LiveConnectionSpec = z
  .object({
    id: z.string(),
    name: z.string().optional(),
    authSpec: z
      .array(
        z
          .object({
            name: z.string(),
            spec: z
              .object({ properties: z.record(z.string(), z.unknown()).optional(), additionalProperties: z.unknown().optional() })
              .passthrough()
              .optional(),
          })
          .passthrough(),
      )
      .optional(),
  })
  .passthrough();
export type LiveConnectionSpec = z.infer<typeof LiveConnectionSpec>;

export function toLiveConnector(spec: LiveConnectionSpec): LiveConnector {
  return {
    id: spec.id,
    name: spec.name ?? spec.id,
    authSpecs: (spec.authSpec ?? []).map((a) => ({
      name: a.name,
      params: Object.keys(a.spec?.properties ?? {}),
      // JSON Schema: only `additionalProperties: false` refuses unlisted members.
      open: a.spec?.additionalProperties !== false,
    })),
  };
}

export class ConnectionSpecs {
  /** By connector id: a failed read is not kept (the next resource asks again). */
  private readonly cache = new Map<string, Promise<LiveConnector>>();
  /** Reads made: for tests. */
  reads = 0;

  constructor(private readonly client: FlowServiceClient) {}

  /** The connector's live spec; an API error (unknown spec, sandbox not found…) is thrown as is. */
  get(id: string, o: CallOptions = {}): Promise<LiveConnector> {
    let spec = this.cache.get(id);
    if (!spec) {
      this.reads++;
      spec = this.client.connectionSpec(id, LiveConnectionSpec, o).then(toLiveConnector);
      this.cache.set(id, spec);
      spec.catch(() => this.cache.delete(id));
    }
    return spec;
  }
}

/** Refuses, before any write, what the connector's live spec does not accept (the description's liveCheck). */
export async function assertLiveSpec(specs: ConnectionSpecs, desc: AnyDescription, inputs: CommonInputs): Promise<void> {
  if (!desc.liveCheck) return;
  const failures = await desc.liveCheck(inputs, (id) => specs.get(id, { sandbox: inputs.sandboxName }));
  if (failures.length === 0) return;
  throw new FlowServiceProviderError(
    "VALIDATION",
    failures.map((f) => `${desc.label} "${inputs.name}": ${f.property} ${f.reason}`).join("\n"),
  );
}
