// Narrowing the review queue: by tier, by the campaign or source of either lead of a pair, and by the import
// that created or changed either lead (set from the import's report, not chosen here). The core reads
// the pairs a filter lets through from the whole queue; the page narrows the pairs it holds at once, while they
// are read. The choices offered are those of the pairs in the queue, so no filter can be picked that would
// show nothing.
import { SOURCE_CHANNELS } from '../format';
import { nav, type View } from '../nav.svelte';
import type { QueueFilter as CoreQueueFilter, DuplicatePair, QueueFacets as CoreFacets, SourceChannel, Tier } from '../types';

export interface QueueFilter {
  /** '' for every tier. */
  tier: Tier | '';
  /** '' for any campaign; else a pair shows when either lead is in it. */
  campaign: string;
  /** '' for any source; else a pair shows when either lead came from it. */
  source: SourceChannel | '';
  /** null for any; else a pair shows when either lead is one this import created or changed (its file named). */
  importId: number | null;
  importFile: string;
}

export function noQueueFilter(): QueueFilter {
  return { tier: '', campaign: '', source: '', importId: null, importFile: '' };
}

/**
 * The filter the queue's page opens with (taken once, as it opens): an import's pairs when it was opened from the
 * import's report or history.
 */
export function openingFilter(v: View): QueueFilter {
  return v.name === 'duplicates' && v.importId !== undefined
    ? { ...noQueueFilter(), importId: v.importId, importFile: v.importFile ?? '' }
    : noQueueFilter();
}

/** Opens the review queue on the pairs of the leads import `id` (of `fileName`) created or changed. */
export function showImportPairs(id: number, fileName: string) {
  nav.go({ name: 'duplicates', importId: id, importFile: fileName });
}

export function isFiltering(f: QueueFilter): boolean {
  return f.tier !== '' || f.campaign !== '' || f.source !== '' || f.importId !== null;
}

/** The filter as the core takes it. */
export function coreFilter(f: QueueFilter): CoreQueueFilter {
  return {
    tier: f.tier === '' ? null : f.tier,
    campaign: f.campaign,
    source: f.source === '' ? null : f.source,
    import_id: f.importId,
  };
}

/**
 * The pairs `f` lets through, in their order: campaigns compared as the core does (ASCII case aside). A pair
 * does not say which import touched its leads: the pairs held are those the core read for the import chosen.
 */
export function filterPairs(pairs: readonly DuplicatePair[], f: QueueFilter): DuplicatePair[] {
  const campaign = asciiLower(f.campaign.trim());
  return pairs.filter(
    (p) =>
      (f.tier === '' || p.tier === f.tier) &&
      (campaign === '' || [p.a, p.b].some((l) => asciiLower(l.campaign.trim()) === campaign)) &&
      (f.source === '' || p.a.source === f.source || p.b.source === f.source),
  );
}

function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

export interface QueueFacets {
  /** The campaigns of the leads in the queue, sorted. */
  campaigns: string[];
  /** Their sources, in the usual order of the source channels. */
  sources: SourceChannel[];
}

/**
 * The values the filters offer: those the core read from every pair (`read`), those of the leads in `pairs`
 * (read since), and the ones chosen now even if gone since.
 */
export function queueFacets(
  pairs: readonly DuplicatePair[],
  chosen: QueueFilter = noQueueFilter(),
  read: CoreFacets = { campaigns: [], sources: [] },
): QueueFacets {
  // Each campaign once, case aside, as the filter compares them: its first spelling met.
  const campaigns = new Map<string, string>();
  const addCampaign = (c: string) => {
    const key = asciiLower(c.trim());
    if (key !== '' && !campaigns.has(key)) campaigns.set(key, c.trim());
  };
  const sources = new Set<SourceChannel>(read.sources);
  read.campaigns.forEach(addCampaign);
  for (const p of pairs) {
    for (const l of [p.a, p.b]) {
      addCampaign(l.campaign);
      if (l.source) sources.add(l.source);
    }
  }
  // The chosen value is offered as chosen: another spelling of it read later would leave the select blank while
  // its filter still holds.
  if (chosen.campaign.trim() !== '') campaigns.set(asciiLower(chosen.campaign.trim()), chosen.campaign);
  if (chosen.source !== '') sources.add(chosen.source);
  return {
    campaigns: [...campaigns.values()].sort((x, y) => x.localeCompare(y)),
    sources: SOURCE_CHANNELS.map((c) => c.value).filter((s) => sources.has(s)),
  };
}
