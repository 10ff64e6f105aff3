/**
 * The scoring service as the CLI sees it: is a version being served, with which sha256,
 * and the admin route that loads one. Errors name the URL and the service's problem detail.
 */
import { serviceError } from './messages.js';

export type ServiceVersion = { model: string; version: string; sha256?: string; signature?: string; status?: string };

export type ScoreCall = { version: string; explain?: { top: number }; asOf?: string; records: { id: string; inputs: Record<string, unknown> }[] };
export type ServiceScore = { id: string; version: string; score: number; scaled: number; decile: number; tier: string; explanation?: unknown };

export type ServiceClientOptions = { baseUrl: string; apiKey?: string; adminKey?: string; fetch?: typeof fetch };

type Problem = { title?: string; detail?: string; status?: number };

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
      throw serviceError('error.adminKeyMissing', 'ServiceAdminKeyMissing', [this.baseUrl, model, version]);
    }
    const url = `${this.baseUrl}/v1/admin/models/${encodeURIComponent(model)}/versions/${encodeURIComponent(version)}/load`;
    const res = await this.call(url, {
      method: 'POST',
      headers: { ...this.headers(this.options.adminKey), 'content-type': 'application/json' },
      body: JSON.stringify({ sha256 }),
    });
    await this.ok(url, res);
    const served = await this.getVersion(model, version);
    if (!served) throw serviceError('error.loadNotServed', 'ServiceLoadFailed', [this.baseUrl, model, version]);
    return served;
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
      throw serviceError('error.unreachable', 'ServiceUnreachable', [url, (err as Error).message], true);
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
