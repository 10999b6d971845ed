// Reads a whole sandbox from Flow Service's listings: every connection, source connection,
// target connection and dataflow (100 per page, following continuation links), and the live
// connection specs of connectors the provider's catalogue does not know (to learn their secret
// params). Read-only: GET requests only.
import { z } from "zod";
import type { FlowServiceClient, ListCursor, Page } from "../../provider/api/client";
import { lookupAuthSpec } from "../../provider/core/catalog";
import { LiveObject, LiveStamps } from "../../provider/core/entity";
import { DESCRIPTIONS } from "../../provider/core/registry";

/** Secret param names per auth spec name, from a live connection spec (`format: password`). */
type SpecSecrets = Map<string, Set<string>>;

export interface Snapshot {
  sandbox: string;
  /** Listed objects by entity kind (Connection, SourceConnection…), deduplicated by id. */
  objects: Map<string, LiveObject[]>;
  /** Live connection specs read for connectors outside the catalogue, by spec id (absent: Flow Service does not know it). */
  specs: Map<string, SpecSecrets>;
  /** Why the specs could not be read, when they could not. */
  specError?: string;
  /** GET requests made for listings (pages), and for the connection specs. */
  listRequests: number;
}

/** Any listed item: stamps only, so one object of an unexpected shape cannot hide the rest of its page. */
const Listed = LiveStamps.extend({ etag: z.string().optional() }).passthrough() as unknown as z.ZodType<LiveObject>;

const ConnectionSpec = z
  .object({
    id: z.string(),
    authSpec: z
      .array(
        z
          .object({
            name: z.string(),
            spec: z
              .object({ properties: z.record(z.string(), z.object({ format: z.string().optional() }).passthrough()).optional() })
              .passthrough()
              .optional(),
          })
          .passthrough(),
      )
      .optional(),
  })
  .passthrough();

async function listAll(client: FlowServiceClient, collection: string, sandbox: string, count: () => void): Promise<LiveObject[]> {
  const byId = new Map<string, LiveObject>();
  let from: readonly string[] | ListCursor = [];
  for (let page = 0; page < 10_000; page++) {
    count();
    const r: Page<LiveObject> = await client.listPage(collection, Listed, from, { sandbox });
    // A listing can shift while it is paged: an object seen twice is kept once.
    for (const item of r.items) byId.set(item.id, item);
    if (!r.next) break;
    from = r.next;
  }
  return [...byId.values()];
}

export async function readSandbox(client: FlowServiceClient, sandbox: string): Promise<Snapshot> {
  let listRequests = 0;
  const count = () => {
    listRequests++;
  };
  const objects = new Map<string, LiveObject[]>();
  // The four listings are independent: read them side by side.
  const lists = await Promise.all(DESCRIPTIONS.map((d) => listAll(client, d.collection, sandbox, count)));
  for (const [i, d] of DESCRIPTIONS.entries()) objects.set(d.kind, lists[i]);

  const specs = new Map<string, SpecSecrets>();
  let specError: string | undefined;
  // Connectors (or auth specs) the catalogue does not know: their live spec says which params are secret.
  const unknown = [
    ...new Set(
      (objects.get("Connection") ?? [])
        .map((c) => c as { connectionSpec?: { id?: unknown }; auth?: { specName?: unknown } })
        .filter((c) => typeof c.connectionSpec?.id === "string" && c.auth !== undefined)
        .filter((c) => !lookupAuthSpec(c.connectionSpec?.id as string, String(c.auth?.specName)))
        .map((c) => c.connectionSpec?.id as string),
    ),
  ].sort();
  if (unknown.length > 0) {
    try {
      count();
      const r = await client.listPage("connectionSpecs", ConnectionSpec as unknown as z.ZodType<LiveObject>, [`id==${unknown.join(",")}`], {
        sandbox,
      });
      for (const item of r.items as unknown as z.infer<typeof ConnectionSpec>[]) {
        const secrets: SpecSecrets = new Map();
        for (const a of item.authSpec ?? []) {
          const props = a.spec?.properties ?? {};
          secrets.set(a.name, new Set(Object.keys(props).filter((k) => props[k].format === "password")));
        }
        specs.set(item.id, secrets);
      }
    } catch (e) {
      specError = (e as Error).message;
    }
  }
  return { sandbox, objects, specs, specError, listRequests };
}
