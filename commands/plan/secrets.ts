// Secrets in a plan, for every resource type: the preview shows every secret as "[secret]" on both
// sides of a change, so which secrets `up` sends is decided from the versions `check` recorded, and
// every value printed is masked again by the description's secret names.
import { UNKNOWN } from "../../provider/core/unknown";
import { SECRET_MASK, UNVERIFIED } from "../../provider/core/docPlanner";
import type { AnyDescription } from "../../provider/core/entity";
import { isObject } from "./preview";

export { SECRET_MASK, UNVERIFIED };

/** What a value known only during `up` reads as in a plan. */
const KNOWN_AT_UP = "[known at up]";

/** The secret names, or undefined when the preview does not show them as a list (any may be secret). */
export function secretKeysOf(props: Record<string, unknown>): string[] | undefined {
  const k = props.secretKeys;
  return Array.isArray(k) && k.every((x) => typeof x === "string") ? (k as string[]) : undefined;
}

/** The value at the description's secret parent (e.g. auth.params): an object, a masked whole, or absent. */
export function holderOf(desc: AnyDescription, props: Record<string, unknown>): unknown {
  let v: unknown = props;
  for (const t of desc.secretParent ?? []) v = isObject(v) ? v[t] : undefined;
  return v;
}

/** A deep copy of `props` with the object at the secret parent replaced by `holder`. */
export function withHolder(desc: AnyDescription, props: Record<string, unknown>, holder: Record<string, unknown>): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(props)) as Record<string, unknown>;
  const parent = desc.secretParent ?? [];
  let at: Record<string, unknown> = copy;
  for (const t of parent.slice(0, -1)) {
    if (!isObject(at[t])) at[t] = {};
    at = at[t] as Record<string, unknown>;
  }
  if (parent.length > 0) at[parent[parent.length - 1]] = holder;
  return copy;
}

/** A copy with every unknown value shown as KNOWN_AT_UP. */
export function shownUnknowns(v: unknown): unknown {
  if (v === UNKNOWN) return KNOWN_AT_UP;
  if (Array.isArray(v)) return v.map(shownUnknowns);
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shownUnknowns(x)]));
  return v;
}

/** `body` with every secret under the secret parent masked (all of them when the names are unknown). */
export function maskBody(desc: AnyDescription, body: Record<string, unknown>, secretKeys: string[] | undefined): Record<string, unknown> {
  const holder = holderOf(desc, body);
  if (!desc.secretParent || !isObject(holder)) return body;
  const masked: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(holder)) masked[k] = !secretKeys || secretKeys.includes(k) ? SECRET_MASK : v;
  return withHolder(desc, body, masked);
}

/**
 * Both sides' secret holders with every secret value replaced, so the description's planner sees a
 * secret change exactly when the provider would send one. Preview masks a secret as "[secret]" on
 * both sides, so for a masked key the secret versions recorded by `check` decide
 * (`__secretVersions`: a number per secret, bumped when its value changes): a changed key gets
 * UNVERIFIED on the old side (it equals nothing, so the planner emits its op) and "[secret]" on the
 * new; any other gets "[secret]" on both (no op). An added or removed key shows by its presence; a
 * value the preview left readable is compared as it is (and masked when printed).
 */
export function alignSecrets(
  oldHolder: Record<string, unknown>,
  newHolder: Record<string, unknown>,
  newSecretKeys: string[] | undefined,
  secretChanges: string[] | undefined,
  notes: string[],
  where: string,
): { oldSide: Record<string, unknown>; newSide: Record<string, unknown> } {
  const oldSide = { ...oldHolder };
  const newSide = { ...newHolder };
  const changed = secretChanges ? new Set(secretChanges) : undefined;
  const unsure: string[] = [];
  for (const k of Object.keys(newHolder)) {
    const o = oldHolder[k];
    const n = newHolder[k];
    // undefined: the preview does not show the secret keys, so any value may be secret.
    const secretNow = newSecretKeys ? newSecretKeys.includes(k) : undefined;
    if (!(k in oldHolder)) {
      if (secretNow !== false) newSide[k] = SECRET_MASK;
    } else if (changed?.has(k)) {
      oldSide[k] = UNVERIFIED;
      newSide[k] = SECRET_MASK;
    } else if (secretNow === false && n !== SECRET_MASK) {
      if (o === SECRET_MASK) {
        // It stops being secret: its old value is masked, so whether it changes cannot be seen.
        oldSide[k] = UNVERIFIED;
        notes.push(`${where}.${k} was secret and no longer is: its old value cannot be compared, so it is listed as sent`);
      }
    } else if (o !== SECRET_MASK && n !== SECRET_MASK) {
      // Readable on both sides (a program that did not mark it secret): compared as the provider does.
      if (secretNow === true) {
        oldSide[k] = o === n ? SECRET_MASK : UNVERIFIED;
        newSide[k] = SECRET_MASK;
      }
    } else {
      oldSide[k] = SECRET_MASK;
      newSide[k] = SECRET_MASK;
      if (!changed) unsure.push(k);
    }
  }
  for (const k of Object.keys(oldHolder)) if (!(k in newHolder)) oldSide[k] = SECRET_MASK; // removed: its value is never sent
  if (unsure.length > 0) {
    notes.push(
      `the preview does not say whether secret params ${unsure.join(", ")} change (no __secretVersions: inputs checked by an older provider): ` +
        "they are left out of the ops above and `up` may send them",
    );
  }
  return { oldSide, newSide };
}
