/**
 * Bearer-key authentication. Keys are compared in constant time: both sides are hashed to
 * fixed-length digests first, so neither the content nor the length of a key leaks through timing.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { HttpProblem } from './problems';

export type KeyRole = 'client' | 'admin';

const digest = (key: string) => createHash('sha256').update(key, 'utf8').digest();

export class KeyRing {
  private readonly clientDigests: Buffer[];
  private readonly adminDigests: Buffer[];

  constructor(clientKeys: readonly string[], adminKeys: readonly string[]) {
    this.clientDigests = clientKeys.map(digest);
    this.adminDigests = adminKeys.map(digest);
  }

  /** The role a presented key grants, or undefined. Every stored key is compared, match or not. */
  roleOf(presented: string): KeyRole | undefined {
    const candidate = digest(presented);
    let admin = false;
    let client = false;
    for (const d of this.adminDigests) admin = timingSafeEqual(candidate, d) || admin;
    for (const d of this.clientDigests) client = timingSafeEqual(candidate, d) || client;
    return admin ? 'admin' : client ? 'client' : undefined;
  }
}

/** A random key for when none is configured: 32 bytes, URL-safe. */
export function generateKey(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

const challenge = { 'WWW-Authenticate': 'Bearer realm="scoring"' };

function presentedKey(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(header);
  return match ? match[1] : undefined;
}

/** Requires a client or admin key (admin keys may do everything a client key may). */
export function requireKey(keys: KeyRing, needed: KeyRole = 'client'): RequestHandler {
  return (req, res, next) => {
    const key = presentedKey(req.headers.authorization);
    if (key === undefined) {
      return next(new HttpProblem(401, 'Send an API key as "Authorization: Bearer <key>".', undefined, challenge));
    }
    const role = keys.roleOf(key);
    if (role === undefined) return next(new HttpProblem(401, 'The API key is not valid.', undefined, challenge));
    if (needed === 'admin' && role !== 'admin') return next(new HttpProblem(403, 'This route needs an admin key.'));
    res.locals.role = role;
    next();
  };
}
