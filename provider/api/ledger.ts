// What one provider process remembers across requests, owned by one object that the session
// builds and passes to the client and to recovery (no module-level state: a new configuration, or
// a test, starts with a new ledger).

export class WriteLedger {
  /** Connection ids this process has created, found, read, written or deleted: never "found" again. */
  private readonly knownIds = new Set<string>();
  /** Creates of the same name run one at a time (see Recovery.create). */
  private readonly queues = new Map<string, Promise<unknown>>();
  /** Every secret value sent by this process: redacted from any error text, whichever request it came from. */
  private readonly secretValues = new Set<string>();

  know(id: string): void {
    this.knownIds.add(id);
  }

  knows(id: string): boolean {
    return this.knownIds.has(id);
  }

  rememberSecrets(values: readonly string[]): void {
    for (const v of values) if (v.length >= 3) this.secretValues.add(v);
  }

  secrets(): string[] {
    return [...this.secretValues];
  }

  /** Runs `fn` after every earlier call with the same key has settled. */
  async serialized<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.queues.get(key) === tail) this.queues.delete(key);
    }
  }
}
