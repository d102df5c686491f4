import { DONE_LABELS } from '../imports/labels';
import type { CaptureSourceKind, RowAction } from '../types';

export const KIND_LABELS: Record<CaptureSourceKind, string> = { web_form: 'Website form', partner: 'Partner' };

export const KIND_HINTS: Record<CaptureSourceKind, string> = {
  web_form: 'A form on your website posts leads with the lead field names (first_name, email…).',
  partner: 'A partner’s system posts leads with its own field names, mapped to lead fields here.',
};

/** "Web origins" as a browser sends them: scheme, host and port, nothing after. */
export function normalizeOrigin(text: string): string {
  return text.trim().replace(/\/+$/, '');
}

export function isOrigin(text: string): boolean {
  return /^https?:\/\/[^\s/?#]+$/i.test(text);
}

/** The tone of an HTTP status: 2xx went through, 4xx was refused, 5xx failed. */
export function statusTone(status: number): 'ok' | 'refused' | 'failed' {
  if (status >= 200 && status < 300) return 'ok';
  if (status >= 500) return 'failed';
  return 'refused';
}

/**
 * What a submission did, in words: the import's row outcomes ("Created (Active)", "To review"…), "Refused"
 * for a request turned away before it was read as a lead (a body that cannot be read, a revoked source), and
 * "Spam" for a website form whose hidden field a bot filled in (answered as any, no lead made).
 */
export function outcomeLabel(outcome: string): string {
  if (outcome === 'rejected') return 'Refused';
  if (outcome === 'spam') return 'Spam (no lead)';
  return DONE_LABELS[outcome as RowAction] ?? outcome;
}
