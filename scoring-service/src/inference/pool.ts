/**
 * A pool of worker threads that run ONNX inference and explanations, so the event loop stays
 * free (ONNX Runtime's run is synchronous native work). Every worker holds a session for every
 * loaded model version; a task goes to the first idle worker, and a large batch is split across
 * workers. A worker that dies is replaced and its models reloaded; only its current task fails.
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
  transfer: ArrayBuffer[];
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
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
    for (const spec of replay)
      slot.control.push(this.controlTask({ op: 'load', spec, ortThreads: this.options.ortThreads } as Op));
    return slot;
  }

  private controlTask(
    message: Op,
    resolve: (v: unknown) => void = () => undefined,
    reject: (e: Error) => void = () => undefined,
  ): Task {
    return { message, transfer: [], resolve, reject };
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
    slot.worker.postMessage({ id, ...task.message }, task.transfer);
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (slot.busy) continue;
      if (slot.control.length > 0) this.start(slot, slot.control.shift()!);
      else if (!slot.replaying && this.queue.length > 0) this.start(slot, this.armed(this.queue.shift()!));
    }
  }

  /** With the crash hook armed, the next run task makes its worker exit while holding it. */
  private armed(task: Task): Task {
    if (!this.crashArmed || task.message.op !== 'run') return task;
    this.crashArmed = false;
    return { ...task, message: { ...task.message, crash: true } as Op };
  }

  private submit<T>(message: Op, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.closed) return Promise.reject(new PoolClosedError('The inference pool is closed.'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ message, transfer, resolve: resolve as (v: unknown) => void, reject });
      this.pump();
    });
  }

  /** Sends one message to every worker (loads and unloads must reach all of them). */
  private broadcast<T>(message: Op): Promise<T[]> {
    if (this.closed) return Promise.reject(new PoolClosedError('The inference pool is closed.'));
    const all = this.slots.map(
      (slot) =>
        new Promise<T>((resolve, reject) =>
          slot.control.push(this.controlTask(message, resolve as (v: unknown) => void, reject)),
        ),
    );
    this.pump();
    return Promise.all(all);
  }

  /** Creates the session (and explainer) for a model version in every worker. */
  async load(spec: ModelSpec): Promise<ModelInfo> {
    const infos = await this.broadcast<ModelInfo>({ op: 'load', spec, ortThreads: this.options.ortThreads } as Op);
    this.specs.set(spec.key, spec);
    return infos[0];
  }

  async unload(key: string): Promise<void> {
    this.specs.delete(key);
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
    return this.submit<RunResult>({ op: 'run', request } as Op, [request.features.buffer as ArrayBuffer]);
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
