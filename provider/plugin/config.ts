// Provider configuration as the engine hands it to a plugin: the stack's `flowservice:*` config
// becomes the inputs of the provider resource (CheckConfig, DiffConfig), then reaches the process
// through Configure. Validation is core/config's resolveConfig, the dynamic resource's own.
import { resolveConfig, SECRET_CONFIG_KEYS, unknownConfigKeys } from "../core/config";
import { ConfigError } from "../core/errors";
import { changedLeaves, formatPath, unwrapSecrets, wrapSecrets } from "./wire";

type Props = Record<string, unknown>;

export { SECRET_CONFIG_KEYS };
/** Inputs the engine adds to every provider resource. */
const ENGINE_KEYS = new Set(["version", "pluginDownloadURL"]);

const text = (v: unknown): string | undefined =>
  v === undefined || v === null ? undefined : typeof v === "string" ? v : JSON.stringify(v);

/** A `flowservice:KEY` getter over the provider's inputs (or Configure's args). */
export function configGetter(values: Props, variables: Map<string, string> = new Map()): (key: string) => string | undefined {
  return (key) => {
    const short = key.replace(/^flowservice:/, "");
    return text(values[short]) ?? variables.get(`flowservice:config:${short}`);
  };
}

export function checkConfig(news: Props | undefined, env: Record<string, string | undefined> = process.env) {
  const { value } = unwrapSecrets(news ?? {}) as { value: Props };
  const failures: Array<{ property: string; reason: string }> = [];
  const keys = Object.keys(value).filter((k) => !ENGINE_KEYS.has(k));
  for (const { key, reason } of unknownConfigKeys(keys.map((k) => `flowservice:${k}`))) failures.push({ property: key, reason });
  try {
    resolveConfig(configGetter(value), env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const key = /flowservice:(\w+)/.exec(e.message)?.[1] ?? "";
    failures.push({ property: key, reason: e.message });
  }
  // A credential set without --secret is still stored encrypted.
  return {
    inputs: wrapSecrets(
      news ?? {},
      SECRET_CONFIG_KEYS.map((k) => [k]),
    ),
    failures,
  };
}

/** A configuration change never replaces the provider: each resource's own diff decides (e.g. a sandbox move). */
export function diffConfig(olds: Props | undefined, news: Props | undefined) {
  const strip = (v: Props | undefined) =>
    Object.fromEntries(Object.entries(unwrapSecrets(v ?? {}).value as Props).filter(([k]) => !ENGINE_KEYS.has(k)));
  const leaves = changedLeaves(strip(olds), strip(news));
  return {
    changes: leaves.length > 0,
    detailed: leaves.map((l) => ({ path: formatPath(l.path), kind: l.kind, replace: false })),
    changedKeys: leaves.map((l) => String(l.path[0])),
  };
}
