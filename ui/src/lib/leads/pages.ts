// Reading the lead list page by page. The backend reads a bounded stretch of its index per page, so a page the
// filters keep nothing of (a campaign's few older leads among many newer matches) can come back empty with
// more to read: that is not the end of the list.
import { backend } from '../api';
import type { LeadPage, LeadQuery } from '../types';

/**
 * The page at `query.after`, or the first one after it that holds a lead not in `seen`; null when `wanted`
 * turns false meanwhile (a newer search replaced this one). A cursor that does not move ends the reading.
 */
export async function pageWithNews(
  query: LeadQuery,
  wanted: () => boolean,
  seen: ReadonlySet<number> = new Set(),
): Promise<LeadPage | null> {
  let asked = query.after;
  let page = await backend().listLeads(query);
  while (page.next_cursor && page.next_cursor !== asked && page.items.every((i) => seen.has(i.id))) {
    if (!wanted()) return null;
    asked = page.next_cursor;
    page = await backend().listLeads({ ...query, after: asked });
  }
  return wanted() ? page : null;
}
