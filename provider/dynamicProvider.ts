// The module every stack's stored `__provider` text requires by path
// (`pulumi-flowservice/dist/provider/dynamicProvider`, see shared/contract.md): keep this path and
// its `provider` export for as long as such stacks exist. It owns the one runtime of the host process.
import type * as pulumi from "@pulumi/pulumi";
import { engineFailures } from "./core/failures";
import { dynamicToken, resourceType } from "./core/registry";
import { entityProvider } from "./resources/engineProvider";
import { dynamicHostEngineAddress, exitWhenEngineGone } from "./resources/lifeline";
import { ProviderRuntime } from "./resources/provider";

/** The host process's provider state (configuration, session): one per process. */
export const runtime = new ProviderRuntime();

// In the dynamic-provider host (not in tests or tools that load this module): exit once the engine is gone.
const engineAddress = dynamicHostEngineAddress();
if (engineAddress) exitWhenEngineGone({ engineAddress, idle: () => runtime.idle() });

/** The engine glue of one resource type (by its kind, as in its dynamic type token): one factory for all. */
export function providerFor(kind: string): pulumi.dynamic.ResourceProvider {
  const type = resourceType(dynamicToken(kind));
  if (!type) throw new Error(`flowservice: no resource type ${kind}`);
  const glue = entityProvider(runtime, type.description);
  const check = glue.check as NonNullable<pulumi.dynamic.ResourceProvider["check"]>;
  // The engine would print `value {<nil>}` for a failure on a nested path (core/failures.ts).
  return {
    ...glue,
    async check(olds, news) {
      const r = await check(olds, news);
      return { ...r, failures: engineFailures(r.failures ?? []) };
    },
  };
}

export const provider = providerFor("Connection");

/** Configures the process's provider (tests; the engine calls provider.configure). */
export function configure(get: (key: string) => string | undefined, env: Record<string, string | undefined> = process.env): void {
  runtime.configure(get, env);
}

/** Requests made by this process so far: for tests and the benchmark. */
export function requestStats(): { token: number; flow: Record<string, number> } {
  return runtime.stats();
}
