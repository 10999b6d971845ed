// What one provider process remembers across requests, owned by one object that the session
// builds and passes to the client and to recovery (no module-level state: a new configuration, or
// a test, starts with a new ledger).

export class WriteLedger {
  /** Connection ids this process has created, found, read, written or deleted: never "found" again. */
  private readonly knownIds = new Set<string>();
  /** Creates of the same name run one at a time (see Recovery.create). */
  private readonly queues = new Map<string, Promise<unknown>>();
  /** Writes finished (or given up on) so far, and the count when each connection was last written. */
  private writes = 0;
  private readonly lastWrite = new Map<string, number>();
  /** Every secret value sent by this process: redacted from any error text, whichever request it came from. */
  private readonly secretValues = new Set<string>();

  know(id: string): void {
    this.knownIds.add(id);
  }

  knows(id: string): boolean {
    return this.knownIds.has(id);
  }

  /** A write to this connection finished, or its outcome is unknown: reads taken before it are old. */
  wrote(id: string): void {
    this.lastWrite.set(id, ++this.writes);
  }

  /** A mark taken before a read: `wroteSince(id, mark)` says whether that read may miss a write of ours. */
  writeMark(): number {
    return this.writes;
  }

  wroteSince(id: string, mark: number): boolean {
    return (this.lastWrite.get(id) ?? 0) > mark;
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
