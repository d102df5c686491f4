// The export of the leads list, shared by the app: it runs in the backend for as long as it takes (a million
// leads take some 10 to 20 s), so leaving the list does not lose it; coming back shows how far it is.
import { backend, toApiError } from '../api';
import { savedNotice } from '../calendar/download';
import { formatCount } from '../format';
import { toasts } from '../toast.svelte';
import type { LeadQuery } from '../types';

/** The file's name: the day it was made, so that a folder of exports reads in order ("leads-2026-12-06.csv"). */
export function exportFileName(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `leads-${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}.csv`;
}

class LeadExport {
  running = $state(false);
  /** Cancel was asked for; the export ends (cancelled, no file) at its next thousand. */
  cancelling = $state(false);
  /** Leads written so far, told every thousand. */
  written = $state(0);
  /** How many the export found, once it has counted them. */
  total = $state<number | null>(null);

  /** Writes the leads `query` matches to the Downloads folder, and says where, how many, or why not. */
  async start(query: LeadQuery): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.cancelling = false;
    this.written = 0;
    this.total = null;
    try {
      const saved = await backend().exportLeads(query, exportFileName(), (p) => {
        this.written = p.written;
        this.total = p.total;
      });
      const what = `${formatCount(saved.count)} ${saved.count === 1 ? 'lead' : 'leads'}`;
      // As any saved file is told: long enough to read the path, with a button to copy it.
      savedNotice(saved.path, `Exported ${what} to ${saved.path}`);
    } catch (e) {
      const err = toApiError(e);
      if (err.code === 'cancelled') toasts.info('Export cancelled; no file was saved.');
      else toasts.error(`Could not export the leads: ${err.message}`);
    } finally {
      this.running = false;
      this.cancelling = false;
    }
  }

  async cancel(): Promise<void> {
    if (!this.running || this.cancelling) return;
    this.cancelling = true;
    await backend().cancelLeadExport();
  }
}

export const leadExport = new LeadExport();
