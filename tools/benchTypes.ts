// The benchmark's vocabulary: the operations it measures, what one measurement holds, the report
// written to bench/results/latest.json, and the options of a run.
import path from "path";
import { ProcUsage } from "./benchProc";
import { InProcessResult, WireResult } from "./benchWire";
import { REPO } from "./pulumiCli";

/** The provider's default flowservice:maxConcurrency (provider/config.ts). */
export const DEFAULT_MAX_CONCURRENCY = 8;

export type Kind = "flowservice" | "trivial";

export const OPS = [
  "create",
  "preview",
  "up-nochange",
  "up-nochange-again",
  "rotate-one",
  "rotate-all",
  "up-nochange-after-rotate",
  "rotate-all-nocheckpoints",
  "refresh",
  "destroy",
] as const;
export type Op = (typeof OPS)[number];

export const OP_LABELS: Record<Op, string> = {
  create: "up: create N",
  preview: "preview, no change",
  "up-nochange": "up, no change (1st after create)",
  "up-nochange-again": "up, no change (again)",
  "rotate-one": "up: rotate 1 secret",
  "rotate-all": "up: rotate all N",
  "up-nochange-after-rotate": "up, no change (1st after rotate all)",
  "rotate-all-nocheckpoints": "up: rotate all N, SKIP_CHECKPOINTS",
  refresh: "refresh",
  destroy: "destroy",
};

export interface RpcStats {
  count: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  totalMs: number;
}

/** What the dynamic-provider host did during one command (tools/benchProbe.ts). */
export interface HostProbe {
  processes: number;
  rpc: Record<string, RpcStats>;
  http: RpcStats & { maxInFlight: number; byMethod: Record<string, RpcStats> };
}

export interface OpRun {
  wallMs: number;
  /** Flow Service requests (paths under /data/), by method, and their total. */
  flow: Record<string, number>;
  flowTotal: number;
  /** IMS token requests. */
  token: number;
  /** Most Flow Service requests in progress at the emulator at one time (ms resolution). */
  maxInFlight: number;
  /** Mean Flow Service requests in progress while at least one was: Σ handling time / busy time. */
  meanInFlight: number;
  /** Time during which at least one Flow Service request was in progress at the emulator, ms. */
  busyMs: number;
  proc: ProcUsage;
  emulatorCpuSeconds?: number;
  host?: HostProbe;
}

export interface OpResult extends OpRun {
  op: Op;
  /** Every repetition (rotate-all only has more than one); the fields above are the median run's. */
  runsMs: number[];
}

export interface StateFacts {
  /** UTF-8 bytes of the serialized provider, per resource (they are all the same when distinct === 1). */
  providerBytes: number[];
  providerDistinct: number;
  /** inputs.__provider and outputs.__provider are the same text. */
  providerInputsEqualOutputs: boolean;
  /** Mean bytes of one resource's entry in `pulumi stack export` (compact JSON). */
  resourceBytesMean: number;
  /** Size of the stack's checkpoint file and that divided by N. */
  checkpointBytes: number;
  checkpointBytesPerResource: number;
}

export interface ScenarioResult {
  kind: Kind;
  n: number;
  ops: Partial<Record<Op, OpResult>>;
  stateAfterCreate?: StateFacts;
  stateAfterRotate?: StateFacts;
}

export interface ConcurrencyRun {
  maxConcurrency: number | "default";
  parallel: number;
  delayMs: number;
  n: number;
  wallMs: number;
  patches: number;
  maxInFlight: number;
  meanInFlight: number;
  /** Time with at least one PATCH in progress at the emulator, ms. */
  busyMs: number;
  hostMaxInFlight?: number;
}

export interface NResult {
  n: number;
  ours: ScenarioResult;
  trivial: ScenarioResult;
  wire: WireResult;
  inProcess: InProcessResult;
  derived: Derived;
}

export interface Derived {
  /** ours / trivial wall time for each op (medians). */
  vsTrivial: Partial<Record<Op, number>>;
  /** ours rotate-all / wire floor (the whole `up` against sending its PATCHes alone). */
  rotateAllVsWire: number;
  /**
   * The provider's own added time per request, throughput view: N updates through the provider's
   * own functions in process (P) against the same N PATCHes from a plain script (W), same
   * concurrency, same emulator, no engine: (P − W) / N, and that / (W / N). Target ≤ 2.
   */
  ownAddedPerRequestMs: number;
  ownAddedVsWire: number;
  /** P / N (HTTP included) and P / W. */
  inProcessPerRequestMs: number;
  inProcessVsWire: number;
  /**
   * Latency view, inside the real `up` rotating all N (tools/benchProbe.ts in the provider host):
   * mean Update call of ours − mean Update call of the trivial provider − mean PATCH round trip
   * as the host saw it; compared with one PATCH sent alone on the wire (the engine hands the
   * provider about one update at a time). Target ≤ 2.
   */
  hostOwnAddedMs?: number;
  hostOwnAddedVsWire?: number;
  hostUpdateMs?: number;
  hostUpdateTrivialMs?: number;
  hostPatchMs?: number;
  /** Informative, noise-bound: (ours − trivial) rotate-all wall / N, ms, its ratio to the wire floor, and the spread of paired runs. */
  e2eAddedPerRequestMs: number;
  e2eAddedVsWire: number;
  e2eAddedRangeMs: [number, number];
}

export interface Target {
  name: string;
  ok: boolean;
  detail: string;
}

export interface BenchReport {
  createdAt: string;
  machine: {
    cpus: number;
    cpuModel: string;
    memoryGb: number;
    node: string;
    platform: string;
    pulumi: string;
    /** 1-minute load average when the run started and ended: other work on the machine skews times. */
    loadAverage: [number, number];
  };
  options: BenchOptions;
  results: NResult[];
  concurrency: ConcurrencyRun[];
  targets: Target[];
  durationSeconds: number;
}

export interface BenchOptions {
  ns: number[];
  /** Repetitions of rotate-all (both providers, interleaved) and of the wire and in-process floors. */
  repeats: number;
  /** N of the concurrency experiment; 0 skips it. */
  concurrencyN: number;
  /** Injected latency per PATCH in the concurrency experiment, ms. */
  concurrencyDelayMs: number;
  /** Where latest.json and latest.md go; undefined writes nothing. */
  outDir?: string;
  /** Also run "rotate all" with PULUMI_SKIP_CHECKPOINTS=true (the engine without per-step checkpoints). */
  engineVariants: boolean;
  log?: (line: string) => void;
}

export const DEFAULT_OPTIONS: BenchOptions = {
  ns: [10, 50, 200],
  repeats: 3,
  concurrencyN: 50,
  concurrencyDelayMs: 200,
  outDir: path.join(REPO, "bench/results"),
  engineVariants: true,
};
