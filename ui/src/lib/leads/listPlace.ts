// Where the lead list was left. Opening a lead unmounts the list; coming back should find the same rows, scrolled
// to the same place, with the row opened focused, as in any CRM list (not the first page at its top).
import type { LeadCount, LeadSummary, SessionInfo } from '../types';
import { toQuery, type LeadFilters } from './filters.svelte';

/** The scroll and the row ↑/↓ move from, as the table reports them. */
export interface TablePlace {
  scrollTop: number;
  activeIndex: number;
  /** The lead of the active row: rows read again may have moved it (edited, it is first by Last updated). */
  activeId: number | null;
}

export interface ListPlace extends TablePlace {
  /** The session that read these rows: another sign-in (even the same user's) never sees them. */
  session: SessionInfo;
  /** The query the rows answer, as sent. */
  query: string;
  items: LeadSummary[];
  nextCursor: string | null;
  count: LeadCount | 'failed' | null;
}

let kept: ListPlace | null = null;

export function queryKey(f: LeadFilters): string {
  return JSON.stringify(toQuery(f));
}

export const listPlace = {
  keep(p: ListPlace) {
    kept = p;
  },
  /**
   * The place left under this session with these filters, taken once; null when there is none, or the filters
   * or the session changed since.
   */
  take(session: SessionInfo | null, f: LeadFilters): ListPlace | null {
    const p = kept;
    kept = null;
    return p && session !== null && p.session === session && p.query === queryKey(f) ? p : null;
  },
  reset() {
    kept = null;
  },
};
