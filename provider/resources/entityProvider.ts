// The Pulumi glue for any entity, and nothing else: engine calls in, the description's generic
// functions out. One factory for every description; all share the process's one ProviderRuntime
// (configuration, session, token).
import type * as pulumi from "@pulumi/pulumi";
import { AnyDescription, CommonInputs } from "../core/entity";
import { checkEntity, diffEntity } from "../core/entityCheck";
import { storedEntityOutputs } from "../core/entityState";
import { FlowServiceProviderError } from "../core/errors";
import * as ops from "./entityOperations";
import type { ProviderRuntime } from "./provider";

function inputsOf(desc: AnyDescription, raw: Record<string, unknown>): CommonInputs {
  const parsed = desc.inputs.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FlowServiceProviderError("VALIDATION", `${desc.kind} ${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data as CommonInputs;
}

/** A partial failure, as the host passes it to the engine: the id and the outputs to record (with `__provider`). */
function recorded(e: unknown, provider: unknown): unknown {
  if (e instanceof ops.PartialWriteError) Object.assign(e, { properties: { ...e.outputs, __provider: provider } });
  return e;
}

export function entityProvider(runtime: ProviderRuntime, desc: AnyDescription): pulumi.dynamic.ResourceProvider {
  return {
    configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
      runtime.configureFromEngine((key) => {
        const v = req.config.get(key);
        return v === undefined || v === null ? undefined : String(v);
      });
      return Promise.resolve();
    },

    async check(olds: Record<string, unknown>, news: Record<string, unknown>) {
      return checkEntity(desc, olds ?? {}, news);
    },

    async diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
      const d = diffEntity(desc, storedEntityOutputs(olds), news, olds.__provider, news.__provider);
      return { changes: d.changes, replaces: d.replaces, deleteBeforeReplace: false };
    },

    async create(inputs: Record<string, unknown>) {
      try {
        return await ops.createEntity(runtime.session(), desc, inputsOf(desc, inputs));
      } catch (e) {
        throw recorded(e, inputs.__provider);
      }
    },

    async read(id: string, props: Record<string, unknown>) {
      const r = await ops.readEntity(runtime.session(), desc, id, storedEntityOutputs(props));
      // A blank id tells the engine the object is gone (refresh drops it from state).
      if (r.gone) return { id: "", props: {} };
      return r.inputs ? { id, props: r.outs, inputs: r.inputs } : { id, props: r.outs };
    },

    async update(id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
      try {
        return { outs: await ops.updateEntity(runtime.session(), desc, id, storedEntityOutputs(olds), inputsOf(desc, news)) };
      } catch (e) {
        throw recorded(e, news.__provider);
      }
    },

    async delete(id: string, props: Record<string, unknown>) {
      await ops.deleteEntity(runtime.session(), desc, id, storedEntityOutputs(props));
    },
  };
}
