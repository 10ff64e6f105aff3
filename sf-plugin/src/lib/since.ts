/** "7d", "36h", "2w" or an ISO date -> the instant that far back from `now`. */
import { Messages } from '@salesforce/core';
import { scoringError } from './errors.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.common');

const UNIT_MS: Record<string, number> = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

export function parseSince(text: string, now = new Date()): Date {
  const m = /^(\d+)\s*([hdw])$/i.exec(text.trim());
  if (m) return new Date(now.getTime() - Number(m[1]) * UNIT_MS[m[2].toLowerCase()]);
  const date = new Date(text);
  if (!Number.isNaN(date.getTime()) && /^\d{4}-\d{2}-\d{2}/.test(text)) return date;
  throw scoringError('InvalidSinceError', messages.getMessage('error.invalidSince', [text]));
}
