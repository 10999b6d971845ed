// The Pulumi glue for any entity, and nothing else: engine calls in, the description's generic
// functions out. One factory for every description; all share the process's one ProviderRuntime
// (configuration, session, token).
import type * as pulumi from "@pulumi/pulumi";
import { AnyDescription, CommonInputs } from "../core/entity";
import { checkEntity, diffEntity } from "../core/checkDiff";
import { keptOnDestroy } from "../core/destroy";
import { storedEntityOutputs } from "../core/state";
import type { CheckOutcome } from "../core/unknown";
import { CredentialsRefusedError, FlowServiceProviderError } from "../core/errors";
import * as ops from "./crud";
import type { ProviderRuntime } from "./provider";
import { flushWarnings, warn } from "./warnings";

/**
 * A check's outcome for the engine: its doubts shown as Pulumi warnings naming the resource (by its
 * display name: a dynamic provider is not told the resource's Pulumi name), the property and why.
 */
export async function checked(label: string, news: Record<string, unknown>, outcome: CheckOutcome): Promise<CheckOutcome> {
  const who = typeof news.name === "string" ? `${label} "${news.name}"` : label;
  for (const w of outcome.warnings ?? []) warn(`${who}: ${w.property} ${w.reason}`);
  await flushWarnings();
  return { inputs: outcome.inputs, failures: outcome.failures };
}

function inputsOf(desc: AnyDescription, raw: Record<string, unknown>): CommonInputs {
  const parsed = desc.inputs.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FlowServiceProviderError("VALIDATION", `${desc.kind} ${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data as CommonInputs;
}

/**
 * A failure after which the object exists or changed version must still reach state: the host
 * turns an error carrying `id` and `properties` into a partial failure, and the engine records
 * those properties (which need `__provider`, or later reads and deletes fail) and shows `reasons`.
 */
export function recorded(e: unknown, provider: unknown): unknown {
  if (e instanceof ops.PartialWriteError) Object.assign(e, { properties: { ...e.outputs, __provider: provider } });
  if (e instanceof CredentialsRefusedError && e.recorded) {
    Object.assign(e, { id: e.recorded.id, properties: { ...e.recorded.outs, __provider: provider }, reasons: [e.message] });
  }
  return e;
}

/** The engine's configure, for every resource type: one runtime, reconfigured only when the configuration changes. */
function engineConfigure(runtime: ProviderRuntime) {
  return (req: pulumi.dynamic.ConfigureRequest): Promise<void> => {
    runtime.configureFromEngine((key) => {
      const v = req.config.get(key);
      return v === undefined || v === null ? undefined : String(v);
    });
    return Promise.resolve();
  };
}

export function entityProvider(runtime: ProviderRuntime, desc: AnyDescription): pulumi.dynamic.ResourceProvider {
  return {
    configure: engineConfigure(runtime),

    async check(olds: Record<string, unknown>, news: Record<string, unknown>) {
      return checked(desc.label, news, checkEntity(desc, olds ?? {}, news, Date.now(), { sandboxName: runtime.stackSandbox() }));
    },

    async diff(id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
      runtime.heldByState(id);
      const d = diffEntity(desc, storedEntityOutputs(olds), news, olds.__provider, news.__provider);
      return { changes: d.changes, replaces: d.replaces, deleteBeforeReplace: false };
    },

    async create(inputs: Record<string, unknown>) {
      try {
        return await ops.createEntity(runtime.session(), desc, inputsOf(desc, inputs));
      } catch (e) {
        throw recorded(e, inputs.__provider);
      } finally {
        // Warnings of this call (resources/warnings.ts) reach the engine before it moves on.
        await flushWarnings();
      }
    },

    async read(id: string, props: Record<string, unknown>) {
      const r = await ops.readEntity(runtime.session(), desc, id, storedEntityOutputs(props)).finally(flushWarnings);
      // A blank id tells the engine the object is gone (refresh drops it from state).
      if (r.gone) return { id: "", props: {} };
      return r.inputs ? { id, props: r.outs, inputs: r.inputs } : { id, props: r.outs };
    },

    async update(id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
      try {
        return { outs: await ops.updateEntity(runtime.session(), desc, id, storedEntityOutputs(olds), inputsOf(desc, news)) };
      } catch (e) {
        throw recorded(e, news.__provider);
      } finally {
        await flushWarnings();
      }
    },

    async delete(id: string, props: Record<string, unknown>) {
      const outs = storedEntityOutputs(props);
      await ops.deleteEntity(runtime.session(), desc, id, outs);
      // The engine prints "deleted" either way: say when the object stays in Flow Service, and why.
      const why = keptOnDestroy(outs);
      if (why) {
        warn(`${desc.kind} ${typeof outs.name === "string" ? `"${outs.name}" ` : ""}(${id}) is kept in Flow Service: ${why}.`);
        await flushWarnings();
      }
    },
  };
}
