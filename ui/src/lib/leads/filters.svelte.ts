// The leads list's search and filters. Kept outside the component so they survive opening a lead and coming
// back, as in any CRM list.
import { nav } from '../nav.svelte';
import type { LeadQuery, LeadSort, LeadStatus, SourceChannel } from '../types';

export interface LeadFilters {
  text: string;
  status: LeadStatus | '';
  stage: string;
  /** Owner id as a select value; '' for any owner. */
  owner: string;
  source: SourceChannel | '';
  campaign: string;
  tag: string;
  /** Only leads with emails or phones kept as invalid. */
  needsFixing: boolean;
  /** Only the leads this import created or changed (a report's "Show its leads"), and the file it read. */
  importId: number | null;
  importFile: string;
  sort: LeadSort;
  ascending: boolean;
}

export const PAGE_SIZE = 50;

export function defaultFilters(): LeadFilters {
  return {
    text: '',
    status: '',
    stage: '',
    owner: '',
    source: '',
    campaign: '',
    tag: '',
    needsFixing: false,
    importId: null,
    importFile: '',
    sort: 'updated_at',
    ascending: false,
  };
}

export const SORTS: { value: LeadSort; label: string }[] = [
  { value: 'updated_at', label: 'Last updated' },
  { value: 'created_at', label: 'Created' },
  { value: 'last_name', label: 'Last name' },
  { value: 'company', label: 'Company' },
];

/** True when anything narrows the list (the sort does not). */
export function isFiltered(f: LeadFilters): boolean {
  return !!(
    f.text.trim() || f.status || f.stage || f.owner || f.source || f.campaign.trim() || f.tag.trim() || f.needsFixing ||
      f.importId !== null
  );
}

/** The leads import `id` (of `fileName`) created or changed, newest first; only its Drafts if asked. */
export function importFilters(id: number, fileName: string, draftsOnly = false): LeadFilters {
  return {
    ...defaultFilters(),
    importId: id,
    importFile: fileName,
    status: draftsOnly ? 'draft' : '',
    sort: 'created_at',
    ascending: false,
  };
}

export function toQuery(f: LeadFilters, after: string | null = null, limit = PAGE_SIZE): LeadQuery {
  const opt = (s: string) => (s.trim() === '' ? null : s.trim());
  return {
    text: f.text.trim(),
    status: f.status === '' ? null : f.status,
    stage: opt(f.stage),
    owner_id: f.owner === '' ? null : Number(f.owner),
    source: f.source === '' ? null : f.source,
    campaign: opt(f.campaign),
    tag: opt(f.tag),
    needs_fixing: f.needsFixing,
    import_id: f.importId,
    sort: f.sort,
    ascending: f.ascending,
    after,
    limit,
  };
}

class FilterStore {
  f = $state<LeadFilters>(defaultFilters());

  /** Clears what narrows the list; keeps the chosen sort. */
  clear() {
    const { sort, ascending } = this.f;
    this.f = { ...defaultFilters(), sort, ascending };
  }
}

export const leadFilters = new FilterStore();

/** Opens the leads list on what import `id` (of `fileName`) created or changed: a report's "Show its leads". */
export function showImportLeads(id: number, fileName: string, draftsOnly = false) {
  leadFilters.f = importFilters(id, fileName, draftsOnly);
  nav.go({ name: 'leads' });
}
