import { formatCount } from '../format';
import { stageColours } from './stageColours.svelte';

/** A stay's length as people say it: minutes under an hour, hours under a day, days with a decimal under ten,
 * whole days above. */
export function formatDays(days: number): string {
  // Numbers in the reader's own way ("2,5" in German), as every count on the page.
  const plural = (n: number, unit: string) => (n === 1 ? `1 ${unit}` : `${formatCount(n)} ${unit}s`);
  if (days < 1 / 24) {
    const minutes = Math.max(0, Math.floor(days * 24 * 60));
    return minutes < 1 ? 'under a minute' : plural(minutes, 'minute');
  }
  if (days < 1) return plural(Math.floor(days * 24), 'hour');
  return plural(days < 10 ? Math.round(days * 10) / 10 : Math.round(days), 'day');
}

/** A colour per stage, the same for the same stage wherever it is drawn (in pipeline order when known). */
const PALETTE = ['#6366f1', '#0ea5e9', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#14b8a6', '#f97316'];
const FIXED: Record<string, string> = {
  new: PALETTE[0],
  qualification: PALETTE[1],
  engagement: PALETTE[2],
  won: PALETTE[3],
  lost: PALETTE[4],
  nurture: PALETTE[5],
};

/** The colour an Administrator gave the stage, else one of the palette's. */
export function stageColour(stage: string): string {
  const configured = stageColours.byStage[stage];
  if (configured) return configured;
  if (FIXED[stage]) return FIXED[stage];
  let h = 0;
  for (const c of stage) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return PALETTE[h % PALETTE.length];
}
