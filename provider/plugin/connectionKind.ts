// flowservice:index:Connection as the plugin serves it: the dynamic Connection's glue
// (connectionProvider) plus what the plugin must add, because here no resource class runs in the
// program: which params are secret (the connector's, and those the program marked), and what an
// import cannot read back (secret params, which Flow Service masks).
import { isSecretParam } from "../core/catalog";
import { ConnectionInputs, ConnectionOutputs } from "../core/schemas";
import { connectionProvider, ProviderRuntime } from "../resources/provider";
import type { PluginResourceKind } from "./resource";
import type { PropertyPath } from "./wire";

type Props = Record<string, unknown>;

const obj = (v: unknown): Props => (v && typeof v === "object" && !Array.isArray(v) ? (v as Props) : {});
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((k): k is string => typeof k === "string") : []);

function specOf(v: Props): { id?: string; specName?: string } {
  const id = obj(v.connectionSpec).id;
  const specName = obj(v.auth).specName;
  return { id: typeof id === "string" ? id : undefined, specName: typeof specName === "string" ? specName : undefined };
}

function secretParamsOf(v: Props): string[] {
  const { id, specName } = specOf(v);
  return Object.keys(obj(obj(v.auth).params)).filter((k) => isSecretParam(id, specName, k));
}

export function connectionKind(runtime: ProviderRuntime): PluginResourceKind {
  return {
    token: "flowservice:index:Connection",
    description:
      "One Flow Service base connection (an account): its name, connector, credentials and sandbox. Secret params are " +
      "write-only: `pulumi import` adopts a connection without them, and the next `up` sends the ones the program declares.",
    inputs: ConnectionInputs,
    outputs: ConnectionOutputs,
    provider: connectionProvider(runtime),
    replacePaths: [["connectionSpec"], ["auth", "specName"], ["adoptId"], ["sandboxName"]],

    secretPaths: (v) => strings(v.secretKeys).map((k) => ["auth", "params", k]),

    // secretKeys, which the dynamic resource class computes in the program, is computed here.
    beforeCheck(news: Props, marked: PropertyPath[]): Props {
      const fromProgram = marked.filter((p) => p.length === 3 && p[0] === "auth" && p[1] === "params").map((p) => String(p[2]));
      const keys = new Set([...strings(news.secretKeys), ...fromProgram, ...secretParamsOf(news)]);
      return { ...news, secretKeys: [...keys].sort() };
    },

    // A secret param that the state never held (an imported connection) stays as it is remotely
    // until the program declares it; one the state held cannot be dropped from the program.
    keepFailure(failure, olds, news) {
      const m = /^auth\.params\.(.+)$/.exec(failure.property);
      if (!m || Object.keys(olds).length === 0) return true;
      const key = m[1];
      const missing = obj(obj(news.auth).params)[key] === undefined;
      const neverHeld = obj(olds.auth).params !== undefined && obj(obj(olds.auth).params)[key] === undefined;
      const secret = isSecretParam(specOf(news).id, specOf(news).specName, key) || strings(news.secretKeys).includes(key);
      return !(missing && neverHeld && secret);
    },

    // Flow Service shows secret params masked: they are left out (and named in secretKeys) rather
    // than recorded as the mask. Like adoptId, an imported connection outlives `destroy` unless
    // deleteOnDestroy says otherwise: it existed before the stack.
    afterImport({ props, inputs }) {
      const secrets = secretParamsOf(props);
      const strip = (v: Props): Props => {
        const auth = obj(v.auth);
        const params = Object.fromEntries(Object.entries(obj(auth.params)).filter(([k]) => !secrets.includes(k)));
        return { ...v, auth: { ...auth, params }, secretKeys: [...new Set([...strings(v.secretKeys), ...secrets])].sort() };
      };
      const name = typeof props.name === "string" ? `"${props.name}"` : "it";
      const notes = secrets.length
        ? [
            `Connection ${name}: its secret params (${secrets.join(", ")}) cannot be read back. Declare them in the program (as secrets): the next 'pulumi up' sends them with one PATCH.`,
          ]
        : [];
      return { props: { ...strip(props), adopted: true }, inputs: strip(inputs), notes };
    },
  };
}
