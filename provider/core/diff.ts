// `diff`, as a pure function: no network and no credentials, so a preview needs neither. A
// Connection's diff is the generic one (checkDiff.ts) over its description.
import { connection } from "./entities/connection";
import { diffEntity } from "./checkDiff";
import type { ConnectionOutputs, PatchOp } from "./schemas";

export interface DiffOutcome {
  changes: boolean;
  replaces: string[];
  /** The patch `update` would send (empty when unknown values leave it undecided). */
  ops: PatchOp[];
}

export function diffConnection(
  olds: ConnectionOutputs,
  news: Record<string, unknown>,
  oldProvider?: unknown,
  newProvider?: unknown,
): DiffOutcome {
  const { changes, replaces, ops } = diffEntity(connection, olds, news, oldProvider, newProvider);
  return { changes, replaces, ops };
}
