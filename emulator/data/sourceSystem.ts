// What the "source system" behind a connection accepts, for GET /connections/{id}/test: Flow
// Service stores any well-formed credential, but the system it points at may refuse it. Rules name
// a param and a value digest; the value itself is digested on arrival and never kept.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { secretsOf } from "./connectionView";
import { digest } from "./secrets";
import type { Connection } from "./records";
import { Rules } from "./rules";

const DIGEST = /^sha256:[0-9a-f]{64}$/;

export const RefuseInput = z
  .object({
    /** Only connections of this connector; absent = any connector. */
    connectionSpecId: z.string().min(1).optional(),
    param: z.string().min(1),
    /** The refused value in clear (digested at once, never stored), or… */
    value: z.unknown().optional(),
    /** …its digest, "sha256:<hex>" as the stored-connection control route shows secrets. */
    digest: z.string().regex(DIGEST, 'must be "sha256:" and 64 lowercase hex digits').optional(),
  })
  .refine((r) => (r.value !== undefined) !== (r.digest !== undefined), "give exactly one of value and digest");

export interface RefusedCredential {
  id: string;
  connectionSpecId: string | null;
  param: string;
  digest: string;
}

export class SourceSystem extends Rules<RefusedCredential, RefusedCredential> {
  constructor() {
    super((r) => ({ ...r }));
  }

  refuse(input: z.output<typeof RefuseInput>): RefusedCredential {
    return this.keep({
      id: randomUUID(),
      connectionSpecId: input.connectionSpecId ?? null,
      param: input.param,
      digest: input.digest ?? digest(input.value),
    });
  }

  /** True when one of the connection's stored param values is refused. */
  refuses(c: Connection): boolean {
    const auth = c.auth;
    if (!auth) return false;
    const secrets = secretsOf(c);
    return this.some((r) => {
      if (r.connectionSpecId !== null && r.connectionSpecId !== c.connectionSpec.id) return false;
      if (!Object.hasOwn(auth.params, r.param)) return false;
      const stored = auth.params[r.param];
      // Secret params are stored as their digest already; the others in clear.
      return (secrets.has(r.param) ? stored : digest(stored)) === r.digest;
    });
  }
}
