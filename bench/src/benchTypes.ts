// The benchmark's vocabulary: the operations it measures, what one measurement holds, the report
// written to bench/results/latest.json, and the options of a run.
import path from "node:path";
import { ProcUsage } from "./benchProc";
import { InProcessResult, WireResult } from "./benchWire";
import { REPO } from "../../tools/pulumiCli";

/** The provider's default flowservice:maxConcurrency (provider/config.ts). */
export const DEFAULT_MAX_CONCURRENCY = 8;

/**
 * Which provider a benchmark stack runs: our dynamic resources, the no-request dynamic provider
 * (the engine's floor), or our provider plugin from a YAML program (the plugin door).
 */
export type Kind = "flowservice" | "trivial" | "plugin";

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
  "refresh-single",
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
  "refresh-single": "refresh (single reads, list refused)",
  destroy: "destroy",
};

/** A refresh of N connections may make ⌈N / this⌉ + 1 Flow Service requests. */
export const REFRESH_READS_PER_REQUEST = 50;

/**
 * The most requests a refresh served from listings may make: for each
 * collection and sandbox where n objects are read, ⌈n/50⌉+1 (a page per 50 reads, plus one);
 * nothing where nothing is read.
 */
export function listingFloor(readsPerCollectionAndSandbox: readonly number[]): number {
  return readsPerCollectionAndSandbox.reduce((sum, n) => sum + (n > 0 ? Math.ceil(n / REFRESH_READS_PER_REQUEST) + 1 : 0), 0);
}

/**
 * The operations measured through the plugin door: the same N connections from a YAML
 * program through bin/pulumi-resource-flowservice. No trivial plugin provider exists: these rows
 * are compared with the dynamic trivial floor, the engine's floor.
 */
export const PLUGIN_OPS = [
  "create",
  "preview",
  "up-nochange",
  "rotate-one",
  "rotate-all",
  "refresh",
  "destroy",
] as const satisfies readonly Op[];

/** The operations measured on the pipeline scenario (base connection, source, target, dataflow per pipeline). */
export const PIPELINE_OPS = ["create", "up-nochange", "refresh", "destroy"] as const satisfies readonly Op[];

/** Resources per pipeline: Connection (S3), SourceConnection, TargetConnection, Dataflow. */
export const RESOURCES_PER_PIPELINE = 4;

/**
 * The most requests a refresh of P pipelines may make when every collection is read from
 * listings: P connections, P source connections, P target connections and P flows,
 * all in the stack's one sandbox, ⌈P/50⌉+1 each.
 */
export const pipelineRefreshFloor = (P: number) => listingFloor(Array(RESOURCES_PER_PIPELINE).fill(P));

/** Which program a benchmark stack runs: N connections, or N pipelines of four resources. */
export type Shape = "connections" | "pipeline";

export interface RpcStats {
  count: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  totalMs: number;
}

/** What the dynamic-provider host did during one command (bench/src/benchProbe.ts). */
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
  /** Flow Service requests answered with a status ≥ 400 (the refused list of "refresh-single"). */
  flowFailed: number;
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
  /** Every repetition (rotate-all and the refreshes have more than one); the fields above are the median run's. */
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
  /** Connections, or pipelines for the pipeline scenario. */
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
  /** The plugin door (absent when the run skipped it, --no-plugin). */
  plugin?: ScenarioResult;
  /** plugin / dynamic trivial floor wall time for each op (medians). */
  pluginVsTrivial?: Partial<Record<Op, number>>;
}

/** The pipeline scenario: N pipelines of four resources each, on both providers. */
export interface PipelineResult {
  pipelines: number;
  resources: number;
  ours: ScenarioResult;
  trivial: ScenarioResult;
  /** ours / trivial wall time for each op (medians). */
  vsTrivial: Partial<Record<Op, number>>;
}

export interface Derived {
  /** ours / trivial wall time for each op (medians). */
  vsTrivial: Partial<Record<Op, number>>;
  /** ours rotate-all / wire floor (the whole `up` against sending its PATCHes alone). */
  rotateAllVsWire: number;
  /**
   * The provider's own added time per update, throughput view: N updates through the provider's
   * own functions in process (P) against the same N PATCHes, each followed by its credential test
   * (GET …/test), from a plain script (W), same concurrency, same emulator, no engine:
   * (P − W) / N, and that / (W / N). Target ≤ 2.
   */
  ownAddedPerUpdateMs: number;
  ownAddedVsWire: number;
  /** P / N (HTTP included) and P / W. */
  inProcessPerUpdateMs: number;
  inProcessVsWire: number;
  /**
   * Latency view, inside the real `up` rotating all N (bench/src/benchProbe.ts in the provider host):
   * mean Update call of ours − mean Update call of the trivial provider − mean PATCH round trip −
   * mean test GET round trip as the host saw them; compared with one PATCH and its test sent
   * alone on the wire (the engine hands the provider about one update at a time). Target ≤ 2.
   */
  hostOwnAddedMs?: number;
  hostOwnAddedVsWire?: number;
  hostUpdateMs?: number;
  hostUpdateTrivialMs?: number;
  hostPatchMs?: number;
  hostTestMs?: number;
  /** Informative, noise-bound: (ours − trivial) rotate-all wall / N, ms, its ratio to the wire floor per update, and the spread of paired runs. */
  e2eAddedPerUpdateMs: number;
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
  /** Absent when the run skipped it (--pipeline 0). */
  pipeline?: PipelineResult;
  concurrency: ConcurrencyRun[];
  targets: Target[];
  durationSeconds: number;
}

export interface BenchOptions {
  ns: number[];
  /** Repetitions of rotate-all and the refreshes (both providers, interleaved) and of the wire and in-process floors. */
  repeats: number;
  /** Pipelines (four resources each) of the pipeline scenario; 0 skips it. */
  pipelines: number;
  /** N of the concurrency experiment; 0 skips it. */
  concurrencyN: number;
  /** Injected latency per PATCH in the concurrency experiment, ms. */
  concurrencyDelayMs: number;
  /** Where latest.json and latest.md go; undefined writes nothing. */
  outDir?: string;
  /** Also run "rotate all" with PULUMI_SKIP_CHECKPOINTS=true (the engine without per-step checkpoints). */
  engineVariants: boolean;
  /** Also run the plugin door (a YAML program through the provider plugin) at every N. */
  pluginDoor: boolean;
  log?: (line: string) => void;
}

export const DEFAULT_OPTIONS: BenchOptions = {
  ns: [10, 50, 200],
  repeats: 3,
  pipelines: 50,
  concurrencyN: 50,
  concurrencyDelayMs: 200,
  outDir: path.join(REPO, "bench/results"),
  engineVariants: true,
  pluginDoor: true,
};
