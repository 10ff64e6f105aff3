/**
 * Every answer names the serving set that produced it (Serving-Set: its digest), so a caller
 * behind a balancer can tell whether its replicas serve the same versions. The set is pinned
 * when the request arrives and the handler answers from that same set, so a reload during the
 * request cannot make the header and the body describe two different sets.
 */
import type { RequestHandler, Response } from 'express';
import type { ModelHost } from '../serving/model-host';
import type { ServingSet } from '../serving/serving-set';

export const SERVING_SET_HEADER = 'Serving-Set';

/** How /openapi.json describes the header on every response. */
export const servingSetHeaderDoc = {
  description:
    'Digest of the serving set that answered: sha256 over the sorted `name@version:sha256:signature` lines of the served versions (model.onnx sha256, feature signature) and the `name:champion=version` / `name:challenger=version` aliases (and `name:rollout=enabled=..,canary=..,shadow=..` for a count model with a rollout), first 16 hex characters. Equal on two replicas means they answer alike.',
  schema: { type: 'string', pattern: '^[0-9a-f]{16}$' },
} as const;

export function pinServingSet(host: ModelHost): RequestHandler {
  return (_req, res, next) => {
    const pinned = host.pin();
    res.locals.servingSet = pinned.set;
    res.setHeader(SERVING_SET_HEADER, pinned.set.digest);
    // 'close' follows the end of every response, and a connection lost mid-request.
    res.once('close', pinned.release);
    next();
  };
}

/** The set this request answers from (pinned by pinServingSet). */
export function servingSetOf(res: Response): ServingSet {
  return res.locals.servingSet as ServingSet;
}

/** After an admin change the answer describes the set now serving, so the header names that one. */
export function answerFromDigest(res: Response, digest: string): void {
  res.setHeader(SERVING_SET_HEADER, digest);
}
