// A Connection's `check`: the generic one (checkDiff.ts) over its description, kept under this
// name for flowservice-plan and the tests that call it.
import { checkEntity, StackDefaults } from "./checkDiff";
import { connection } from "./entities/connection";
import type { CheckOutcome } from "./unknown";

export { UNKNOWN, containsUnknown } from "./unknown";
export type { CheckFailure, CheckOutcome } from "./unknown";
export type { StackDefaults } from "./checkDiff";

export function checkConnection(olds: Record<string, unknown>, news: Record<string, unknown>, stack: StackDefaults = {}): CheckOutcome {
  return checkEntity(connection, olds ?? {}, news, Date.now(), stack);
}
