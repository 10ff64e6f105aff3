/**
 * Prometheus metrics (prom-client), one registry per service instance: request counts and
 * latency by route, model and version; inference time; score distributions; and the PSI of
 * recent scores against each manifest's baseline score histogram, computed at scrape time.
 */
import client from 'prom-client';
import type { Manifest } from '../../manifest/schema';
import { populationStability } from '../../metrics/drift';

const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The last `capacity` scores of one model version (a ring buffer). */
class RecentScores {
  private readonly values: Float64Array;
  private next = 0;
  private filled = 0;

  constructor(
    capacity: number,
    readonly baseline: NonNullable<Manifest['baseline']['score']>,
  ) {
    this.values = new Float64Array(capacity);
  }

  add(scores: ArrayLike<number>): void {
    for (let i = 0; i < scores.length; i++) {
      this.values[this.next] = scores[i];
      this.next = (this.next + 1) % this.values.length;
      if (this.filled < this.values.length) this.filled++;
    }
  }

  get count(): number {
    return this.filled;
  }

  snapshot(): Float64Array {
    return this.values.slice(0, this.filled);
  }
}

export class PrometheusMetrics {
  readonly registry = new client.Registry();
  readonly requests: client.Counter<'method' | 'route' | 'status' | 'model' | 'version'>;
  readonly latency: client.Histogram<'method' | 'route' | 'model' | 'version'>;
  readonly records: client.Counter<'model' | 'version' | 'role' | 'explained'>;
  readonly inference: client.Histogram<'model' | 'version' | 'explained'>;
  readonly scaled: client.Histogram<'model' | 'version'>;
  readonly reloads: client.Counter<'result'>;
  readonly workerRestarts: client.Counter;
  private readonly recent = new Map<string, RecentScores>();

  constructor(
    private readonly psiWindow: number,
    private readonly minScoresForPsi = 100,
  ) {
    client.collectDefaultMetrics({ register: this.registry, prefix: 'scoring_process_' });
    const registers = [this.registry];
    this.requests = new client.Counter({
      name: 'scoring_http_requests_total',
      help: 'HTTP requests by route, status, model and version.',
      labelNames: ['method', 'route', 'status', 'model', 'version'],
      registers,
    });
    this.latency = new client.Histogram({
      name: 'scoring_http_request_duration_seconds',
      help: 'HTTP request latency by route, model and version.',
      labelNames: ['method', 'route', 'model', 'version'],
      buckets: latencyBuckets,
      registers,
    });
    this.records = new client.Counter({
      name: 'scoring_records_total',
      help: 'Records scored, by model, version and role.',
      labelNames: ['model', 'version', 'role', 'explained'],
      registers,
    });
    this.inference = new client.Histogram({
      name: 'scoring_inference_duration_seconds',
      help: 'Time in the worker pool (queue + ONNX run + explanation) per batch.',
      labelNames: ['model', 'version', 'explained'],
      buckets: latencyBuckets,
      registers,
    });
    this.scaled = new client.Histogram({
      name: 'scoring_scaled_score',
      help: 'Distribution of scaled scores (0-100) by model and version.',
      labelNames: ['model', 'version'],
      buckets: [10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
      registers,
    });
    this.reloads = new client.Counter({
      name: 'scoring_reloads_total',
      help: 'Serving-set reloads by result (ok, partial, refused).',
      labelNames: ['result'],
      registers,
    });
    this.workerRestarts = new client.Counter({
      name: 'scoring_worker_restarts_total',
      help: 'Inference workers replaced after a crash.',
      registers,
    });
    const recent = this.recent;
    const minimum = this.minScoresForPsi;
    new client.Gauge({
      name: 'scoring_score_psi',
      help: 'Population stability index of the recent scores against the manifest baseline (<0.1 stable, 0.1-0.25 minor shift, >0.25 major shift).',
      labelNames: ['model', 'version'],
      registers,
      collect() {
        this.reset();
        for (const [key, scores] of recent) {
          if (scores.count < minimum) continue;
          const [model, version] = key.split('@');
          this.set({ model, version }, populationStability(scores.baseline, scores.snapshot()));
        }
      },
    });
    new client.Gauge({
      name: 'scoring_score_psi_sample_size',
      help: 'Recent scores the PSI gauge is computed from.',
      labelNames: ['model', 'version'],
      registers,
      collect() {
        this.reset();
        for (const [key, scores] of recent) {
          const [model, version] = key.split('@');
          this.set({ model, version }, scores.count);
        }
      },
    });
  }

  /** Adaptive batching in the worker pool, read at each scrape: messages that carried several requests, and those requests. */
  watchBatching(read: () => { messages: number; requests: number }): void {
    const registers = [this.registry];
    new client.Counter({
      name: 'scoring_pool_batches_total',
      help: 'Worker messages that carried several waiting run requests at once (BATCH_ROWS).',
      registers,
      collect() {
        this.reset();
        this.inc(read().messages);
      },
    });
    new client.Counter({
      name: 'scoring_pool_batched_requests_total',
      help: 'Run requests that shared a worker message with others.',
      registers,
      collect() {
        this.reset();
        this.inc(read().requests);
      },
    });
  }

  /** Adds scores of one version to its distribution and its PSI window. */
  observeScores(manifest: Manifest, scores: ArrayLike<number>, scaled: ArrayLike<number>): void {
    const key = `${manifest.name}@${manifest.version}`;
    const baseline = manifest.baseline.score;
    if (baseline) {
      let window = this.recent.get(key);
      if (!window) {
        window = new RecentScores(this.psiWindow, baseline);
        this.recent.set(key, window);
      }
      window.add(scores);
    }
    const histogram = this.scaled.labels(manifest.name, manifest.version);
    for (let i = 0; i < scaled.length; i++) histogram.observe(scaled[i]);
  }

  /** Forgets a version's PSI window (its baseline may differ after a reload). */
  forget(model: string, version: string): void {
    this.recent.delete(`${model}@${version}`);
  }
}
