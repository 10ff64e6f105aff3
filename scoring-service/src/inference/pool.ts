/**
 * A pool of worker threads that run ONNX inference and explanations, so the event loop stays
 * free (ONNX Runtime's run is synchronous native work). Every worker holds a session for every
 * loaded model version; a task goes to the first idle worker, and a large batch is split across
 * workers. A worker that dies is replaced and its models reloaded; only its current task fails
 * (a batch of waiting requests runs again request by request, so only the one that crashes fails).
 * Events: 'worker-started' (PriorityOutcome), 'worker-crashed' (Error), 'worker-replaced'.
 */
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type {
  ExplainRequest,
  Explanations,
  FromWorker,
  ModelInfo,
  ModelSpec,
  RawTensor,
  RunRequest,
  RunResult,
  ToWorker,
} from './protocol';

export interface PoolOptions {
  size: number;
  /** ONNX Runtime intra-op threads per session. */
  ortThreads: number;
  /** A batch with more rows than this is split into up to `size` parts. */
  splitRows: number;
  /**
   * Adaptive batching: while every worker is busy, run requests waiting for the same version
   * (and the same explain options) go to the next free worker as one message of up to this many
   * rows (default `splitRows`; 1 turns it off). Nothing waits for a batch to fill: an idle
   * worker takes a request at once, so batches form only under load, where one message and one
   * TreeSHAP pass for many rows cost less than one each. If a worker dies holding a batch, its
   * requests run again one by one.
   */
  batchRows?: number;
  /**
   * Nice value (1-19) each worker gives its own thread on Linux, so the event loop is scheduled
   * ahead of inference (inference/priority.ts); 0 or absent: the same priority as the event loop.
   */
  workerNice?: number;
  /** Lets tests crash a worker on purpose. */
  allowCrash?: boolean;
  /**
   * Cap on each worker's young generation (MiB; V8's default when absent). A worker that explains
   * batch after batch otherwise grows its young generation to V8's default maximum, and each
   * worker's peak RSS with it: the bulk path sets it to stay under its memory target.
   */
  youngGenerationMb?: number;
}

/** The worker died while it held this task. */
export class WorkerCrashedError extends Error {
  readonly code = 'worker-crashed';
}

/** The pool is closing or closed. */
export class PoolClosedError extends Error {
  readonly code = 'pool-closed';
}

/** An error raised inside a worker, carried back with its name and code. */
export class WorkerTaskError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

type Op = Omit<ToWorker, 'id'> & { op: ToWorker['op'] };

interface Task {
  message: Op;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  /** Run tasks that may share a worker message: equal keys can be batched together. */
  batchKey?: string;
}

interface Slot {
  worker: Worker;
  busy?: Task & { id: number };
  /** Tasks for this worker only (model loads and unloads); served before shared work. */
  control: Task[];
  /** A replacement worker still reloading its models. */
  replaying: boolean;
}

/** The worker script next to this file: the compiled .js, or the .ts source under ts-jest/tsx. */
function workerEntry(): { file: string; execArgv: string[] } {
  if (__filename.endsWith('.ts')) {
    return { file: path.join(__dirname, 'worker.ts'), execArgv: ['--require', require.resolve('tsx/cjs')] };
  }
  return { file: path.join(__dirname, 'worker.js'), execArgv: [] };
}

export class WorkerPool extends EventEmitter {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private readonly specs = new Map<string, ModelSpec>();
  private nextId = 1;
  private closed = false;
  private crashArmed = false;
  private readonly batchCounts = { messages: 0, requests: 0 };
  /** Per loaded version: how many workers built its TreeSHAP tables (a worker that builds them posts them back). */
  private readonly tableBuilds = new Map<string, number>();

  constructor(private readonly options: PoolOptions) {
    super();
    for (let i = 0; i < options.size; i++) this.slots.push(this.spawn([]));
  }

  get size(): number {
    return this.slots.length;
  }

  /** Tasks waiting for a worker. */
  get queued(): number {
    return this.queue.length;
  }

  /** Tasks running or waiting. */
  get pending(): number {
    return this.queue.length + this.slots.filter((s) => s.busy).length;
  }

  private spawn(replay: ModelSpec[]): Slot {
    const entry = workerEntry();
    const worker = new Worker(entry.file, {
      execArgv: entry.execArgv,
      ...(this.options.youngGenerationMb
        ? { resourceLimits: { maxYoungGenerationSizeMb: this.options.youngGenerationMb } }
        : {}),
      workerData: { allowCrash: this.options.allowCrash ?? false, nice: this.options.workerNice ?? 0 },
    });
    const slot: Slot = { worker, control: [], replaying: replay.length > 0 };
    worker.on('message', (msg: FromWorker) => this.onMessage(slot, msg));
    worker.on('error', (err) => this.onExit(slot, err));
    worker.on('exit', (code) => this.onExit(slot, new Error(`worker exited with code ${code}`)));
    // A replacement reloads every model before it takes shared work (control tasks go first).
    for (const spec of replay) {
      slot.control.push(
        this.controlTask(this.loadMessage(spec), (info) => this.countBuild(spec.key, info as ModelInfo)),
      );
    }
    return slot;
  }

  private controlTask(
    message: Op,
    resolve: (v: unknown) => void = () => undefined,
    reject: (e: Error) => void = () => undefined,
  ): Task {
    return { message, resolve, reject };
  }

  private onMessage(slot: Slot, msg: FromWorker): void {
    if ('started' in msg) {
      this.emit('worker-started', msg.started);
      return;
    }
    const task = slot.busy;
    if (!task || task.id !== msg.id) return;
    slot.busy = undefined;
    if (msg.ok) task.resolve(msg.value);
    else task.reject(new WorkerTaskError(msg.error.message, msg.error.code));
    if (slot.replaying && slot.control.length === 0) {
      slot.replaying = false;
      this.emit('worker-replaced');
    }
    this.pump();
  }

  private onExit(slot: Slot, err: Error): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return; // already handled ('error' is followed by 'exit')
    const task = slot.busy;
    slot.busy = undefined;
    const crashed = new WorkerCrashedError(`An inference worker stopped while running this task (${err.message}).`);
    task?.reject(crashed);
    for (const pending of slot.control.splice(0)) pending.reject(crashed);
    if (this.closed) {
      this.slots.splice(index, 1);
      return;
    }
    this.emit('worker-crashed', err);
    this.slots[index] = this.spawn([...this.specs.values()]);
    this.pump();
  }

  private start(slot: Slot, task: Task): void {
    const id = this.nextId++;
    slot.busy = { ...task, id };
    slot.worker.postMessage({ id, ...task.message });
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (slot.busy) continue;
      if (slot.control.length > 0) this.start(slot, slot.control.shift()!);
      else if (!slot.replaying && this.queue.length > 0) this.start(slot, this.nextShared());
    }
  }

  /** The oldest waiting task, with the waiting run tasks that can share its message (PoolOptions.batchRows). */
  private nextShared(): Task {
    const first = this.armed(this.queue.shift()!);
    const limit = this.options.batchRows ?? this.options.splitRows;
    if (first.batchKey === undefined || limit <= 1) return first;
    const members = [first];
    let rows = runRequestOf(first).rows;
    for (let i = 0; i < this.queue.length && rows < limit;) {
      const task = this.queue[i];
      const n = task.batchKey === first.batchKey ? runRequestOf(task).rows : 0;
      if (n > 0 && rows + n <= limit) {
        members.push(task);
        rows += n;
        this.queue.splice(i, 1);
      } else i++;
    }
    if (members.length === 1) return first;
    this.batchCounts.messages++;
    this.batchCounts.requests += members.length;
    return batchedTask(members, rows, (again) => {
      // A worker died holding several requests: each runs again on its own, unbatched, so a request
      // that kills workers fails alone and the others are answered.
      // onExit pumps once the dead worker is replaced: pumping here would hand them to the dead one.
      this.queue.unshift(...again.map((task) => ({ ...task, batchKey: undefined })));
    });
  }

  /** Worker messages that carried several run requests, and how many requests they carried. */
  get batched(): { messages: number; requests: number } {
    return { ...this.batchCounts };
  }

  /** With the crash hook armed, the next run task makes its worker exit while holding it. */
  private armed(task: Task): Task {
    if (!this.crashArmed || task.message.op !== 'run') return task;
    this.crashArmed = false;
    return { ...task, message: { ...task.message, crash: true } as Op };
  }

  private submit<T>(message: Op, batchKey?: string): Promise<T> {
    if (this.closed) return Promise.reject(new PoolClosedError('The inference pool is closed.'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ message, resolve: resolve as (v: unknown) => void, reject, batchKey });
      this.pump();
    });
  }

  /** Sends one message to every worker (unloads must reach all of them). */
  private broadcast<T>(message: Op): Promise<T[]> {
    return Promise.all(this.slots.map((slot) => this.control<T>(slot, message)));
  }

  /**
   * Creates the session (and explainer) for a model version in every worker. One worker builds
   * the TreeSHAP tables; the others, and any replacement later, share them (SharedArrayBuffers):
   * one build and one copy per version, not one per worker.
   */
  async load(spec: ModelSpec): Promise<ModelInfo> {
    const [first, ...others] = this.slots;
    if (!first) throw new PoolClosedError('The inference pool has no workers.');
    const built = await this.control<ModelInfo>(first, this.loadMessage(spec));
    this.countBuild(spec.key, built);
    const { prebuilt, ...info } = built;
    const shared: ModelSpec = prebuilt ? { ...spec, prebuilt } : spec;
    const replies = await Promise.all(others.map((slot) => this.control<ModelInfo>(slot, this.loadMessage(shared))));
    for (const reply of replies) this.countBuild(spec.key, reply);
    this.specs.set(spec.key, shared);
    return info;
  }

  private countBuild(key: string, info: ModelInfo): void {
    if (info.prebuilt) this.tableBuilds.set(key, (this.tableBuilds.get(key) ?? 0) + 1);
  }

  /** How many workers built this version's TreeSHAP tables: 1 when every other worker, replacements too, shares them. */
  tablesBuilt(key: string): number {
    return this.tableBuilds.get(key) ?? 0;
  }

  private loadMessage(spec: ModelSpec): Op {
    return { op: 'load', spec, ortThreads: this.options.ortThreads } as Op;
  }

  /** One control task for one worker (served before shared work). */
  private control<T>(slot: Slot, message: Op): Promise<T> {
    if (this.closed) return Promise.reject(new PoolClosedError('The inference pool is closed.'));
    return new Promise<T>((resolve, reject) => {
      slot.control.push(this.controlTask(message, resolve as (v: unknown) => void, reject));
      this.pump();
    });
  }

  async unload(key: string): Promise<void> {
    this.specs.delete(key);
    this.tableBuilds.delete(key);
    await this.broadcast({ op: 'unload', key } as Op);
  }

  isLoaded(key: string): boolean {
    return this.specs.has(key);
  }

  /** Predictions (and contributions) for a row-major batch; large batches are split across workers. */
  async run(
    key: string,
    features: Float32Array,
    rows: number,
    columns: number,
    explain?: ExplainRequest,
  ): Promise<RunResult> {
    const parts =
      rows > this.options.splitRows ? Math.min(this.slots.length, Math.ceil(rows / this.options.splitRows)) : 1;
    if (parts <= 1) return this.runPart({ key, features, rows, explain });
    const per = Math.ceil(rows / parts);
    const pieces: Promise<RunResult>[] = [];
    for (let start = 0; start < rows; start += per) {
      const n = Math.min(per, rows - start);
      const part = explain ? { ...explain, inputs: explain.inputs.slice(start, start + n) } : undefined;
      pieces.push(
        this.runPart({ key, features: features.slice(start * columns, (start + n) * columns), rows: n, explain: part }),
      );
    }
    const results = await Promise.all(pieces);
    return mergeResults(results, rows);
  }

  private runPart(request: RunRequest): Promise<RunResult> {
    return this.submit<RunResult>({ op: 'run', request } as Op, batchKeyOf(request));
  }

  /** Raw tensors in and out (Open Inference Protocol). */
  infer(key: string, inputs: RawTensor[], outputs?: string[]): Promise<RawTensor[]> {
    return this.submit<RawTensor[]>({ op: 'infer', key, inputs, outputs } as Op);
  }

  /** Test hook: the worker that takes the next run task exits while holding it (needs allowCrash). */
  crashDuringNextTask(): void {
    if (!this.options.allowCrash) throw new Error('the crash hook needs allowCrash');
    this.crashArmed = true;
  }

  /** Test hook: makes the next idle worker exit, as a native crash would (needs allowCrash). */
  crashOne(): Promise<unknown> {
    return this.submit({ op: 'crash' } as Op);
  }

  /** Resolves once no worker holds a task or has loads waiting. */
  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const check = () =>
        this.slots.every((slot) => !slot.busy && slot.control.length === 0) ? resolve() : setTimeout(check, 10);
      check();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0))
      task.reject(new PoolClosedError('The inference pool closed before this task ran.'));
    // Terminating a worker while ONNX Runtime is creating or running a session in it aborts the whole
    // process (a native exception on a torn-down thread), e.g. a replacement worker still reloading
    // its models at shutdown. Let those calls finish first.
    await this.idle();
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }
}

function mergeResults(results: RunResult[], rows: number): RunResult {
  const scores = new Float64Array(rows);
  const first = results[0];
  const explanations = first.explanations && concatExplanations(results.map((r) => r.explanations!));
  const width = first.contributions ? first.contributions.length / first.scores.length : 0;
  const contributions = first.contributions ? new Float64Array(rows * width) : undefined;
  let offset = 0;
  for (const r of results) {
    scores.set(r.scores, offset);
    if (contributions && r.contributions) contributions.set(r.contributions, offset * width);
    offset += r.scores.length;
  }
  return { scores, explanations, contributions };
}

/** The parts' explanations in row order; every part of one run has the same format. */
function concatExplanations(parts: Explanations[]): Explanations {
  if (parts[0].format === 'json')
    return { format: 'json', rows: parts.flatMap((p) => (p.format === 'json' ? p.rows : [])) };
  return { format: 'objects', rows: parts.flatMap((p) => (p.format === 'objects' ? p.rows : [])) };
}

/** Requests with equal keys run the same version with the same explain options, so their rows can share one run. */
function batchKeyOf(request: RunRequest): string {
  const e = request.explain;
  const explain = e ? `${e.top ?? 'all'}|${e.asOf ?? ''}|${e.json ? 1 : 0}|${e.raw ? 1 : 0}` : '-';
  return `${request.key}\u0000${explain}`;
}

function runRequestOf(task: Task): RunRequest {
  return (task.message as Extract<ToWorker, { op: 'run' }>).request;
}

/** One run task for several waiting requests: their rows one after the other, each answered with its own rows. */
function batchedTask(members: Task[], rows: number, retryAlone: (members: Task[]) => void): Task {
  const requests = members.map(runRequestOf);
  const first = requests[0];
  const columns = first.features.length / first.rows;
  const features = new Float32Array(rows * columns);
  let at = 0;
  for (const r of requests) {
    features.set(r.features.subarray(0, r.rows * columns), at * columns);
    at += r.rows;
  }
  const explain = first.explain && { ...first.explain, inputs: requests.flatMap((r) => r.explain!.inputs) };
  const request: RunRequest = { key: first.key, features, rows, explain };
  // The crash hook (armed()) marks one request; the batch that carries it dies with it.
  const crash = members.some((task) => (task.message as { crash?: boolean }).crash);
  return {
    message: { op: 'run', request, ...(crash ? { crash } : {}) } as Op,
    resolve: (value) => {
      const result = value as RunResult;
      let from = 0;
      members.forEach((task, i) => {
        task.resolve(sliceResult(result, from, requests[i].rows));
        from += requests[i].rows;
      });
    },
    reject: (err) => (err instanceof WorkerCrashedError ? retryAlone(members) : members.forEach((t) => t.reject(err))),
  };
}

function sliceResult(result: RunResult, from: number, rows: number): RunResult {
  const out: RunResult = { scores: result.scores.slice(from, from + rows) };
  const e = result.explanations;
  if (e) {
    out.explanations =
      e.format === 'json'
        ? { format: 'json', rows: e.rows.slice(from, from + rows) }
        : { format: 'objects', rows: e.rows.slice(from, from + rows) };
  }
  if (result.contributions) {
    const width = result.contributions.length / result.scores.length;
    out.contributions = result.contributions.slice(from * width, (from + rows) * width);
  }
  return out;
}
