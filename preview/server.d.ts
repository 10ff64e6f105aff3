/** Types for preview/server.js (CommonJS), for the TypeScript callers (the scoring service's server, tests). */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface PreviewOptions {
  /** Base URL of the running scoring service, e.g. http://127.0.0.1:8080 */
  serviceUrl: string;
  /** A key from SCORING_API_KEYS; used server-side only. */
  apiKey: string;
  model?: string;
  version?: string;
  topReasons?: number;
  now?: () => number;
}

export interface SeedOutcome {
  id: string;
  ok: boolean;
  error?: string;
}

export interface RunningPreview {
  url: string;
  port: number;
  /** false when preview/dist is missing (run `npm run build:preview`). */
  built: boolean;
  /** Settles when the sample leads have been scored once. */
  seeded: Promise<SeedOutcome[]>;
  close(): Promise<void>;
}

export function startPreview(options: PreviewOptions & { port?: number; host?: string }): Promise<RunningPreview>;
export function createPreviewHandler(options: PreviewOptions): {
  handle(req: IncomingMessage, res: ServerResponse): void | Promise<void>;
  seed(): Promise<SeedOutcome[]>;
};
export function isBuilt(): boolean;
