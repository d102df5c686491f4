// Narrowing the review queue: by tier, and by the campaign or source of either lead of a pair. The choices
// offered are those of the pairs in the queue, so no filter can be picked that would show nothing.
import { SOURCE_CHANNELS } from '../format';
import type { DuplicatePair, SourceChannel, Tier } from '../types';

export interface QueueFilter {
  /** '' for every tier. */
  tier: Tier | '';
  /** '' for any campaign; else a pair shows when either lead is in it. */
  campaign: string;
  /** '' for any source; else a pair shows when either lead came from it. */
  source: SourceChannel | '';
}

export function noQueueFilter(): QueueFilter {
  return { tier: '', campaign: '', source: '' };
}

export function isFiltering(f: QueueFilter): boolean {
  return f.tier !== '' || f.campaign !== '' || f.source !== '';
}

/** The pairs `f` lets through, in their order. */
export function filterPairs(pairs: readonly DuplicatePair[], f: QueueFilter): DuplicatePair[] {
  return pairs.filter(
    (p) =>
      (f.tier === '' || p.tier === f.tier) &&
      (f.campaign === '' || p.a.campaign === f.campaign || p.b.campaign === f.campaign) &&
      (f.source === '' || p.a.source === f.source || p.b.source === f.source),
  );
}

export interface QueueFacets {
  /** The campaigns of the leads in the queue, sorted. */
  campaigns: string[];
  /** Their sources, in the usual order of the source channels. */
  sources: SourceChannel[];
}

/** The values the filters offer: those of the leads in `pairs`, and the ones chosen now even if gone since. */
export function queueFacets(pairs: readonly DuplicatePair[], chosen: QueueFilter = noQueueFilter()): QueueFacets {
  const campaigns = new Set<string>();
  const sources = new Set<SourceChannel>();
  for (const p of pairs) {
    for (const l of [p.a, p.b]) {
      if (l.campaign.trim() !== '') campaigns.add(l.campaign);
      if (l.source) sources.add(l.source);
    }
  }
  if (chosen.campaign !== '') campaigns.add(chosen.campaign);
  if (chosen.source !== '') sources.add(chosen.source);
  return {
    campaigns: [...campaigns].sort((x, y) => x.localeCompare(y)),
    sources: SOURCE_CHANNELS.map((c) => c.value).filter((s) => sources.has(s)),
  };
}
