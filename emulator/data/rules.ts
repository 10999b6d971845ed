// Rules a test injects through the control routes (faults, run failures, refused credentials):
// each gets an id; a counted one applies `times` times ("always": until cleared), then is gone.
import { randomUUID } from "node:crypto";

/** The id and the uses left of a new rule; `remaining` is null for one that applies "always". */
export function counted(times: number | "always"): { id: string; remaining: number | null } {
  return { id: randomUUID(), remaining: times === "always" ? null : times };
}

/** A list of rules `S`, shown to tests as `V` (copies: a caller cannot change a stored rule). */
export class Rules<S extends { id: string; remaining?: number | null }, V> {
  private items: S[] = [];

  constructor(private readonly view: (rule: S) => V) {}

  protected keep(rule: S): V {
    this.items.push(rule);
    return this.view(rule);
  }

  protected some(applies: (rule: S) => boolean): boolean {
    return this.items.some(applies);
  }

  /** The first rule that applies, one use counted; it is gone once its uses are spent. */
  protected takeFirst(applies: (rule: S) => boolean): V | undefined {
    const rule = this.items.find(applies);
    if (!rule) return undefined;
    if (rule.remaining !== undefined && rule.remaining !== null) {
      rule.remaining -= 1;
      if (rule.remaining <= 0) this.items = this.items.filter((r) => r !== rule);
    }
    return this.view(rule);
  }

  list(): V[] {
    return this.items.map(this.view);
  }

  clear(): number {
    const n = this.items.length;
    this.items = [];
    return n;
  }
}
