// A Connection's check and diff as the tests call them: the generic ones (provider/core/checkDiff.ts)
// over the Connection description, with the clock and the stack's defaults filled in.
import { checkEntity, diffEntity, StackDefaults } from "../../provider/core/checkDiff";
import { connection } from "../../provider/core/entities/connection";
import type { ConnectionOutputs, PatchOp } from "../../provider/core/schemas";
import type { CheckOutcome } from "../../provider/core/unknown";

export { UNKNOWN } from "../../provider/core/unknown";

export function checkConnection(olds: Record<string, unknown>, news: Record<string, unknown>, stack: StackDefaults = {}): CheckOutcome {
  return checkEntity(connection, olds ?? {}, news, Date.now(), stack);
}

export function diffConnection(
  olds: ConnectionOutputs,
  news: Record<string, unknown>,
  oldProvider?: unknown,
  newProvider?: unknown,
): { changes: boolean; replaces: string[]; ops: PatchOp[] } {
  const { changes, replaces, ops } = diffEntity(connection, olds, news, oldProvider, newProvider);
  return { changes, replaces, ops };
}
