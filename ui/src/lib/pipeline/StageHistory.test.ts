import { render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { lead, mockBackend, pipelineConfig } from '../../test/fixtures';
import LeadPage from '../leads/LeadPage.svelte';
import type { StageStay } from '../types';
import { formatDays, stageColour } from './duration';
import StageHistory from './StageHistory.svelte';
import { stageColours } from './stageColours.svelte';

const stay = (stage: string, label: string, days: number, current = false): StageStay => ({
  stage,
  label,
  entered_at: '2026-11-01T09:00:00.000Z',
  exited_at: current ? null : '2026-11-04T09:00:00.000Z',
  days,
});

describe('Stage history on the lead page', () => {
  it('lists the stays newest first with their lengths, the current one marked, and draws them as a bar', async () => {
    const be = mockBackend({
      stageHistory: async () => [
        stay('new', 'New lead', 3),
        stay('qualification', 'Qualification', 4.25),
        stay('engagement', 'In discussion', 12, true),
      ],
    });
    render(StageHistory, { leadId: 7, refresh: 1 });
    const items = await screen.findAllByTestId('stage-stay');
    expect(be.stageHistory).toHaveBeenCalledWith(7);
    expect(items.map((li) => li.getAttribute('data-stage'))).toEqual(['engagement', 'qualification', 'new']);
    expect(items[0]).toHaveTextContent('In discussion');
    expect(items[0]).toHaveTextContent('12 days so far');
    expect(items[0]).toHaveClass('current');
    expect(items[1]).toHaveTextContent('4.3 days');
    expect(items[1]).not.toHaveTextContent('so far');
    expect(items[2]).toHaveTextContent('3 days');
    const segments = document.querySelectorAll<HTMLElement>('.stage-history .segment');
    expect(segments).toHaveLength(3);
    // Each segment's share of the bar is its share of the time.
    expect(Number(segments[2].style.flexGrow)).toBeCloseTo(12 / 19.25, 3);
    expect(segments[0].title).toBe('New lead: 3 days');
  });

  it('says so when nothing is recorded, and when the history cannot be read', async () => {
    mockBackend({ stageHistory: async () => [] });
    const { unmount } = render(StageHistory, { leadId: 7, refresh: 1 });
    expect(await screen.findByTestId('stage-history-empty')).toHaveTextContent('No stage recorded yet.');
    unmount();
    mockBackend({
      stageHistory: async () => {
        throw { code: 'not_found', message: 'lead 7 not found', field: null };
      },
    });
    render(StageHistory, { leadId: 7, refresh: 1 });
    expect(await screen.findByRole('alert')).toHaveTextContent('Could not load the stage history: lead 7 not found');
  });

  it('is on the lead page, read for that lead', async () => {
    const be = mockBackend({ getLead: async () => lead({ id: 7, version: 1 }) });
    render(LeadPage, { id: 7, canWrite: true, onedit: vi.fn(), onback: vi.fn() });
    await screen.findByTestId('stage-history');
    await waitFor(() => expect(be.stageHistory).toHaveBeenCalledWith(7));
  });
});

describe('durations and colours', () => {
  it('says minutes under an hour, hours under a day, one decimal under ten days, whole days above', () => {
    const minute = 1 / (24 * 60);
    expect([0, 30 / 86400, minute, 5 * minute, 1 / 24, 0.5, 1, 2.46, 12.6].map(formatDays)).toEqual([
      'under a minute',
      'under a minute',
      '1 minute',
      '5 minutes',
      '1 hour',
      '12 hours',
      '1 day',
      '2.5 days',
      '13 days',
    ]);
  });

  it('gives a stage the same colour everywhere', () => {
    expect(stageColour('won')).toBe(stageColour('won'));
    expect(stageColour('won')).not.toBe(stageColour('lost'));
    expect(stageColour('custom-stage')).toBe(stageColour('custom-stage'));
  });

  it('draws a stage in the colour an Administrator gave it, as the board does', () => {
    const stages = pipelineConfig().stages.map((s) => (s.key === 'won' ? { ...s, colour: '#123456' } : s));
    stageColours.set(stages);
    expect(stageColour('won')).toBe('#123456');
  });

  it('writes decimals the reader’s way', () => {
    const Real = Intl.NumberFormat;
    // A WebView in German: every NumberFormat without a locale takes the reader's.
    class German extends Real {
      constructor(_locales?: string | string[], options?: Intl.NumberFormatOptions) {
        super('de-DE', options);
      }
    }
    vi.stubGlobal('Intl', { ...Intl, NumberFormat: German });
    try {
      expect(formatDays(2.46)).toBe('2,5 days');
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
