/**
 * The scoring service as the CLI sees it: is a version being served, with which sha256,
 * and the admin route that loads one. Errors name the URL and the service's problem detail.
 */
import http from 'node:http';
import https from 'node:https';
import { serviceError } from './messages.js';

export type ServiceVersion = { model: string; version: string; sha256?: string; signature?: string; status?: string };

export type ScoreCall = { version: string; explain?: { top: number }; asOf?: string; records: { id: string; inputs: Record<string, unknown> }[] };
export type ServiceScore = { id: string; version: string; score: number; scaled: number; decile: number; tier: string; explanation?: unknown };

/** The body of PUT /v1/admin/models/{model}/rollout (the service's RolloutRequest). */
export type RolloutCall = {
  champion?: string;
  challenger?: string | null;
  enabled?: boolean;
  canary?: number;
  shadow?: boolean;
  previousChampion?: string | null;
  changedBy?: string;
};

/** The service's answer (RolloutResponse): the rollout it serves from now on. */
export type ServiceRollout = {
  model: string;
  champion: string;
  challenger: string | null;
  rollout: { enabled: boolean; canary: number; shadow: boolean; previousChampion?: string };
  rolloutKey: string | null;
  persisted: { ok: boolean; reason?: string };
  servingSet: string;
};

export type ServiceClientOptions = { baseUrl: string; apiKey?: string; adminKey?: string; fetch?: typeof fetch };

type Problem = { title?: string; detail?: string; status?: number };

/** The header every answer of the service carries: the digest of the serving set that answered. */
export const SERVING_SET_HEADER = 'serving-set';

/**
 * One answer of the version route: which serving set answered (its Serving-Set digest), the
 * HTTP status, and the sha256 that set serves for the version; or why there was no answer.
 */
export type ReplicaSample = { digest: string | null; status: number | null; sha256?: string; error?: string };

const SAMPLE_TIMEOUT_MS = 10_000;

export class ServiceClient {
  private readonly baseUrl: string;
  private readonly doFetch: typeof fetch;

  public constructor(private readonly options: ServiceClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.doFetch = options.fetch ?? fetch;
  }

  /** The version as the service serves it, or undefined when the service does not have it (404). */
  public async getVersion(model: string, version: string): Promise<ServiceVersion | undefined> {
    const url = `${this.baseUrl}/v1/models/${encodeURIComponent(model)}/versions/${encodeURIComponent(version)}`;
    const res = await this.call(url, { method: 'GET', headers: this.headers(this.options.apiKey) });
    if (res.status === 404) return undefined;
    return versionFrom(model, version, await this.ok(url, res));
  }

  /**
   * Asks the service to load the version from its models directory. The expected sha256 goes
   * with the request, so the service itself refuses a different artifact (422); the version is
   * then read back to report what is being served.
   */
  public async loadVersion(model: string, version: string, sha256: string): Promise<ServiceVersion> {
    if (!this.options.adminKey) {
      throw serviceError('error.adminKeyMissing', 'ServiceAdminKeyMissingError', [this.baseUrl, model, version], true);
    }
    const url = `${this.baseUrl}/v1/admin/models/${encodeURIComponent(model)}/versions/${encodeURIComponent(version)}/load`;
    const res = await this.call(url, {
      method: 'POST',
      headers: { ...this.headers(this.options.adminKey), 'content-type': 'application/json' },
      body: JSON.stringify({ sha256 }),
    });
    await this.ok(url, res);
    const served = await this.getVersion(model, version);
    if (!served) throw serviceError('error.loadNotServed', 'ServiceLoadFailedError', [this.baseUrl, model, version]);
    return served;
  }

  /**
   * Asks for the version on a connection of its own (no keep-alive), so a balancer, whether it
   * spreads connections or requests, may send each sample to another replica.
   */
  public sampleVersion(model: string, version: string): Promise<ReplicaSample> {
    const url = new URL(`${this.baseUrl}/v1/models/${encodeURIComponent(model)}/versions/${encodeURIComponent(version)}`);
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve) => {
      const req = transport.request(url, { method: 'GET', agent: false, headers: { ...this.headers(this.options.apiKey), connection: 'close' }, timeout: SAMPLE_TIMEOUT_MS }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          const header = res.headers[SERVING_SET_HEADER];
          const digest = typeof header === 'string' && header ? header : null;
          let sha256: string | undefined;
          if (res.statusCode === 200) {
            try {
              sha256 = versionFrom(model, version, JSON.parse(text)).sha256;
            } catch {
              // An answer that is not JSON serves no sha256.
            }
          }
          resolve({ digest, status: res.statusCode ?? null, sha256 });
        });
        res.on('error', (err) => resolve({ digest: null, status: null, error: err.message }));
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${SAMPLE_TIMEOUT_MS / 1000} s`)));
      req.on('error', (err) => resolve({ digest: null, status: null, error: err.message }));
      req.end();
    });
  }

  /**
   * PUT /v1/admin/models/{model}/rollout: a count model's champion, challenger, kill switch, canary
   * and shadow, applied by the service from its next request on. Returns the rollout it now serves.
   */
  public async putRollout(model: string, change: RolloutCall): Promise<ServiceRollout> {
    if (!this.options.adminKey) {
      throw serviceError('error.rolloutAdminKeyMissing', 'ServiceAdminKeyMissingError', [this.baseUrl, model], true);
    }
    const url = `${this.baseUrl}/v1/admin/models/${encodeURIComponent(model)}/rollout`;
    const res = await this.call(url, {
      method: 'PUT',
      headers: { ...this.headers(this.options.adminKey), 'content-type': 'application/json' },
      body: JSON.stringify(change),
    });
    return (await this.ok(url, res)) as ServiceRollout;
  }

  /** POST /v1/models/{model}/score: the request Apex sends (at most 200 records), the response's results. */
  public async score(model: string, request: ScoreCall): Promise<ServiceScore[]> {
    const url = `${this.baseUrl}/v1/models/${encodeURIComponent(model)}/score`;
    const res = await this.call(url, {
      method: 'POST',
      headers: { ...this.headers(this.options.apiKey), 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    return ((await this.ok(url, res)) as { results: ServiceScore[] }).results;
  }

  private headers(key: string | undefined): Record<string, string> {
    return key ? { authorization: `Bearer ${key}`, accept: 'application/json' } : { accept: 'application/json' };
  }

  private async call(url: string, init: RequestInit): Promise<Response> {
    try {
      return await this.doFetch(url, { ...init, signal: AbortSignal.timeout(60_000) });
    } catch (err) {
      throw serviceError('error.unreachable', 'ServiceUnreachableError', [url, (err as Error).message], true);
    }
  }

  private async ok(url: string, res: Response): Promise<unknown> {
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      body = { detail: text.slice(0, 200) };
    }
    if (!res.ok) {
      const p = body as Problem;
      throw serviceError('error.answered', 'ServiceError', [res.status, url, p.detail ?? p.title ?? res.statusText]);
    }
    return body;
  }
}

/** Reads sha256/signature from either a flat version document or one that nests the manifest. */
function versionFrom(model: string, version: string, body: unknown): ServiceVersion {
  const b = (body ?? {}) as Record<string, unknown>;
  const manifest = (b.manifest ?? {}) as Record<string, unknown>;
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  return {
    model,
    version,
    sha256: str(b.sha256) ?? str(manifest.sha256),
    signature: str(b.signature) ?? str(manifest.signature),
    status: str(b.status),
  };
}
