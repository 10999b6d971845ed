// The emulator's clock for dataflow runs: real time plus an offset that tests advance through
// POST /__emulator/clock/advance, so a 15-minute schedule is exercised without waiting 15 minutes.
// Only runs (when they are due, their times) read it; entity stamps keep the wall clock.
export class Clock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Moves the clock forward (never back: runs already produced stay in the past). */
  advance(ms: number): void {
    this.offsetMs += Math.max(0, ms);
  }

  get offset(): number {
    return this.offsetMs;
  }

  reset(): void {
    this.offsetMs = 0;
  }
}
