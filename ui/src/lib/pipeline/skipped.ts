import type { StageConfig } from '../types';

/**
 * The stages a lead moving from stage `from` (null: being created) into `to` skips that ask their entry criteria
 * of leads skipping them, in the order the lead would have met them: for the form's hints only, as the core's
 * gate (`pipeline::gate::skipped_asking`) stays the judge. Nothing is skipped by a move that is no step towards
 * winning: giving a lead up, parking it where its stage's stale leads go, or moving it back.
 */
export function skippedAsking(stages: readonly StageConfig[], from: string | null, to: StageConfig): StageConfig[] {
  if (to.outcome === 'lost' || !stages.some((s) => s.asked_when_skipped && s.pipeline === to.pipeline)) return [];
  const start = from === null ? undefined : stages.find((s) => s.key === from);
  const first = stages.filter((s) => s.pipeline === to.pipeline).sort((a, b) => a.position - b.position)[0];
  const leaving = start ?? first;
  if (leaving && (leaving.stagnation?.target === to.key || to.probability <= leaving.probability)) return [];
  const onTheWayFrom = start && start.pipeline === to.pipeline ? start : undefined;
  const parked = new Set(stages.flatMap((s) => (s.stagnation ? [s.stagnation.target] : [])));
  return stages
    .filter(
      (s) =>
        s.pipeline === to.pipeline &&
        s.asked_when_skipped &&
        s.outcome === 'open' &&
        s.key !== to.key &&
        s.probability < to.probability &&
        (!onTheWayFrom || (s.key !== onTheWayFrom.key && s.probability > onTheWayFrom.probability)) &&
        !parked.has(s.key),
    )
    .sort((a, b) => a.probability - b.probability || a.position - b.position);
}
