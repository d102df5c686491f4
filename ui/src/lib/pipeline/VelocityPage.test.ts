import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '../../App.svelte';
import { apiErr, deferred, mockBackend, sessionFor } from '../../test/fixtures';
import { SOURCE_CHANNELS } from '../format';
import { nav } from '../nav.svelte';
import type { Bottleneck, StageVelocity, TimeToClose, Velocity } from '../types';
import { formatDays, stageColour } from './duration';
import VelocityPage from './VelocityPage.svelte';

const stage = (
  key: string,
  label: string,
  ended: number[],
  ages: number[] = [],
): StageVelocity => {
  const sorted = [...ended].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : null);
  return {
    stage: key,
    label,
    pipeline: 'sales',
    pipeline_label: 'Sales',
    stays: ended.length,
    mean_days: mean(ended),
    median_days: sorted.length === 0 ? null : sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2,
    in_stage_now: ages.length,
    mean_age_days: mean(ages),
    parking: false,
  };
};

const close = (key: string, label: string, leads: number, mean: number | null, median: number | null): TimeToClose => ({
  stage: key,
  label,
  pipeline: 'sales',
  pipeline_label: 'Sales',
  leads,
  mean_days: mean,
  median_days: median,
});

const bottleneck = (by: Bottleneck['by'], group: string, s: StageVelocity): Bottleneck => ({
  by,
  group,
  stage: s.stage,
  label: s.label,
  pipeline: s.pipeline,
  pipeline_label: s.pipeline_label,
  mean_days: s.mean_days,
  stays: s.stays,
});

/**
 * A pipeline whose engagement stage holds leads longest (a mean of 14.8 days over 5 stays), its first stage's
 * figures resting on 3 stays only, with one closing stage never reached.
 */
function sample(): Velocity {
  const stages = [
    stage('new', 'New lead', [1, 2, 6], [0.5, 1.5]),
    stage('qualification', 'Qualification', [3, 4, 5, 12, 6]),
    stage('engagement', 'In discussion', [10, 14, 30, 8, 12], [4]),
    stage('won', 'Won', [], [20, 40]),
    stage('lost', 'Lost', []),
  ];
  return {
    stages,
    to_close: [close('won', 'Won', 2, 25.5, 25.5), close('lost', 'Lost', 0, null, null)],
    bottlenecks: [
      bottleneck('owner', 'Ada Admin', stages[2]),
      bottleneck('owner', '(no owner)', stages[1]),
      bottleneck('source', 'web_form', stages[2]),
      bottleneck('source', 'direct_entry', stages[1]),
      bottleneck('source', '(unknown)', stages[0]),
    ],
  };
}

const rows = () => screen.findAllByTestId('velocity-stage');

describe('Pipeline velocity page', () => {
  it('draws one row per stage, in pipeline order, with its figures and a bar as long as its mean on the scale', async () => {
    const v = sample();
    mockBackend({ pipelineVelocity: async () => v });
    render(VelocityPage);
    const items = await rows();
    expect(items.map((r) => r.dataset.stage)).toEqual(v.stages.map((s) => s.stage));
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Pipeline');

    // The scale runs to 15 days, the first round tick past the largest figure (a mean of 14.8 days).
    const largest = 15;
    v.stages.forEach((s, i) => {
      const row = items[i];
      expect(row).toHaveTextContent(s.label);
      expect(row.style.getPropertyValue('--stage-colour')).toBe(stageColour(s.stage));
      const ended = within(row).getByTestId('velocity-stage-ended');
      const bar = within(row).queryByTestId('velocity-bar');
      const median = within(row).queryByTestId('velocity-median');
      if (s.mean_days === null || s.median_days === null) {
        expect(ended).toHaveTextContent('no stay ended yet');
        expect(bar).toBeNull();
        expect(median).toBeNull();
      } else {
        expect(ended).toHaveTextContent(
          `mean ${formatDays(s.mean_days)} · median ${formatDays(s.median_days)} · ${s.stays} ${s.stays === 1 ? 'stay' : 'stays'}`,
        );
        expect(parseFloat(bar!.style.width)).toBeCloseTo((s.mean_days / largest) * 100, 3);
        expect(parseFloat(median!.style.left)).toBeCloseTo(Math.min(100, (s.median_days / largest) * 100), 3);
      }
      const now = within(row).getByTestId('velocity-stage-now');
      if (s.in_stage_now === 0) expect(now).toHaveTextContent('none now');
      else expect(now).toHaveTextContent(`${s.in_stage_now} now, ${formatDays(s.mean_age_days!)} on average`);
    });
  });

  it('marks the stage with the longest mean stay, and that one only', async () => {
    const v = sample();
    mockBackend({ pipelineVelocity: async () => v });
    render(VelocityPage);
    await rows();
    const slowest = v.stages.reduce((a, b) => ((b.mean_days ?? 0) > (a.mean_days ?? 0) ? b : a));
    const badges = screen.getAllByTestId('velocity-longest');
    expect(badges).toHaveLength(1);
    expect(badges[0]).toHaveTextContent('Longest');
    expect(badges[0].closest('[data-testid="velocity-stage"]')).toHaveAttribute('data-stage', slowest.stage);
    // Its bar is the longest, nearly the full width of a scale that ends at the next round tick.
    const slowRow = screen.getAllByTestId('velocity-stage').find((r) => r.dataset.stage === slowest.stage)!;
    expect(parseFloat(within(slowRow).getByTestId('velocity-bar').style.width)).toBeCloseTo((14.8 / 15) * 100, 3);
  });

  it('marks Nurture as parking, never the longest, however long leads waited there', async () => {
    const v = sample();
    v.stages.splice(3, 0, { ...stage('nurture', 'Nurture', [40, 45, 50, 60, 38]), parking: true });
    mockBackend({ pipelineVelocity: async () => v });
    render(VelocityPage);
    const nurture = (await rows()).find((r) => r.dataset.stage === 'nurture')!;
    expect(within(nurture).getByTestId('velocity-parking')).toHaveTextContent('Parking');
    expect(within(nurture).queryByTestId('velocity-longest')).toBeNull();
    const badges = screen.getAllByTestId('velocity-longest');
    expect(badges.map((b) => b.closest('li')!.dataset.stage)).toEqual(['engagement']);
    expect(screen.getByText(/Nurture, where quiet\s+leads wait by design, never is/)).toBeInTheDocument();
  });

  it('names the parking stages the policies make, and none when there is none', async () => {
    const v = sample();
    v.stages.splice(3, 0, { ...stage('hold', 'On hold', [40]), parking: true });
    mockBackend({ pipelineVelocity: async () => v });
    const { unmount } = render(VelocityPage);
    await rows();
    expect(document.body.textContent).toContain('On hold, where quiet');
    expect(document.body.textContent).not.toContain('Nurture');
    unmount();
    mockBackend({ pipelineVelocity: async () => sample() });
    render(VelocityPage);
    await rows();
    expect(document.body.textContent).not.toContain('where quiet');
  });

  it('draws a scale of round durations, from 0 to the first tick past the largest figure', async () => {
    const v = sample();
    mockBackend({ pipelineVelocity: async () => v });
    render(VelocityPage);
    await rows();
    const ticks = screen.getAllByTestId('velocity-tick');
    expect(ticks.map((t) => t.textContent)).toEqual(['0', '5 d', '10 d', '15 d']);
    expect(ticks.map((t) => parseFloat(t.style.left))).toEqual([0, 100 / 3, 200 / 3, 100].map((x) => expect.closeTo(x, 3)));
    // The scale is a picture: the figures themselves are written out in each row.
    expect(screen.getByTestId('velocity-axis')).toHaveAttribute('aria-hidden', 'true');
    // Qualification's mean of 6 days ends a fifth of the way from the "5 d" tick to the "10 d" one.
    const qualification = screen.getAllByTestId('velocity-stage')[1];
    expect(within(qualification).getByTestId('velocity-stage-ended')).toHaveTextContent('mean 6 days');
    expect(parseFloat(within(qualification).getByTestId('velocity-bar').style.width)).toBeCloseTo(40, 3);
    // Gridlines run through each track at the ticks between the ends.
    const lines = qualification.querySelectorAll<HTMLElement>('.gridline');
    expect([...lines].map((l) => parseFloat(l.style.left))).toEqual([100 / 3, 200 / 3].map((x) => expect.closeTo(x, 3)));
  });

  it('counts a scale of short stays in minutes or hours', async () => {
    const v = sample();
    // Minutes: the e2e's fresh pipeline, where every stay so far lasted seconds.
    v.stages = [stage('new', 'New lead', [0.0003]), stage('qualification', 'Qualification', [], [0.0001])];
    const be = mockBackend({ pipelineVelocity: async () => v });
    const { unmount } = render(VelocityPage);
    await rows();
    expect(screen.getAllByTestId('velocity-tick').map((t) => t.textContent)).toEqual(['0', '1 min']);
    unmount();

    // Hours: stays of half a day.
    const w = sample();
    w.stages = [stage('new', 'New lead', [0.5, 0.5, 0.5])];
    be.pipelineVelocity.mockImplementation(async () => w);
    render(VelocityPage);
    await rows();
    expect(screen.getAllByTestId('velocity-tick').map((t) => t.textContent)).toEqual(['0', '3 h', '6 h', '9 h', '12 h']);
  });

  it('names no stage the longest on fewer than 5 stays, and shows how few there are', async () => {
    const v = sample();
    // New lead has the longest mean by far, but over 2 stays only; In discussion, over 4.
    v.stages[0] = stage('new', 'New lead', [40, 50]);
    v.stages[2] = stage('engagement', 'In discussion', [10, 14, 30, 8]);
    const be = mockBackend({ pipelineVelocity: async () => v });
    const { unmount } = render(VelocityPage);
    let items = await rows();
    const row = (key: string) => items.find((r) => r.dataset.stage === key)!;
    // The slowest of those with enough stays is the bottleneck.
    const badges = screen.getAllByTestId('velocity-longest');
    expect(badges).toHaveLength(1);
    expect(badges[0].closest('[data-testid="velocity-stage"]')).toHaveAttribute('data-stage', 'qualification');
    expect(within(row('new')).getByTestId('velocity-few')).toHaveTextContent('2 stays only');
    expect(within(row('engagement')).getByTestId('velocity-few')).toHaveTextContent('4 stays only');
    expect(within(row('qualification')).queryByTestId('velocity-few')).toBeNull();
    // A stage no stay has left, and a closing stage, have nothing to excuse.
    expect(within(row('won')).queryByTestId('velocity-few')).toBeNull();
    expect(within(row('lost')).queryByTestId('velocity-few')).toBeNull();
    unmount();

    // When no stage has 5 stays, none is named.
    const w = sample();
    w.stages[1] = stage('qualification', 'Qualification', [3, 4, 5, 12]);
    w.stages[2] = stage('engagement', 'In discussion', [10, 14, 30, 8]);
    w.stages[3] = stage('won', 'Won', [9]);
    be.pipelineVelocity.mockImplementation(async () => w);
    render(VelocityPage);
    items = await rows();
    expect(screen.queryByTestId('velocity-longest')).toBeNull();
    expect(screen.getAllByTestId('velocity-few').map((b) => b.closest('li')!.dataset.stage)).toEqual([
      'new',
      'qualification',
      'engagement',
    ]);
    expect(within(row('new')).getByTestId('velocity-few')).toHaveTextContent('3 stays only');
    expect(within(row('won')).queryByTestId('velocity-few')).toBeNull();
  });

  it('shows the time to close per closing stage, with dashes where no lead closed there', async () => {
    const v = sample();
    mockBackend({ pipelineVelocity: async () => v });
    render(VelocityPage);
    const cards = await screen.findAllByTestId('velocity-close');
    expect(cards.map((c) => c.dataset.stage)).toEqual(v.to_close.map((c) => c.stage));
    v.to_close.forEach((c, i) => {
      const card = within(cards[i]);
      expect(cards[i]).toHaveTextContent(c.label);
      expect(card.getByTestId('velocity-close-leads')).toHaveTextContent(`${c.leads} ${c.leads === 1 ? 'lead' : 'leads'}`);
      const mean = c.leads === 0 || c.mean_days === null ? '—' : formatDays(c.mean_days);
      const median = c.leads === 0 || c.median_days === null ? '—' : formatDays(c.median_days);
      expect(card.getByTestId('velocity-close-mean')).toHaveTextContent(mean);
      expect(card.getByTestId('velocity-close-median')).toHaveTextContent(median);
    });
    expect(within(cards[1]).getByTestId('velocity-close-mean')).toHaveTextContent('—');
  });

  it("lists each owner's and each source's bottleneck, with sources in words", async () => {
    const v = sample();
    mockBackend({ pipelineVelocity: async () => v });
    render(VelocityPage);
    const found = await screen.findAllByTestId('velocity-bottleneck');
    expect(found).toHaveLength(v.bottlenecks.length);
    const readable = (b: Bottleneck) =>
      b.by === 'source' ? (SOURCE_CHANNELS.find((c) => c.value === b.group)?.label ?? b.group) : b.group;
    v.bottlenecks.forEach((b, i) => {
      const cells = within(found[i]).getAllByRole('cell');
      expect(found[i]).toHaveAttribute('data-by', b.by);
      expect(cells.map((c) => c.textContent?.trim())).toEqual([
        readable(b),
        b.label,
        formatDays(b.mean_days!),
        String(b.stays),
      ]);
    });
    // The keys themselves never show.
    const sources = within(screen.getByRole('heading', { name: 'By source' }).parentElement!);
    expect(sources.getByText('Web form')).toBeInTheDocument();
    expect(sources.getByText('Direct entry')).toBeInTheDocument();
    expect(sources.queryByText('web_form')).toBeNull();
    // Each table lists its own group only.
    const owners = within(screen.getByRole('heading', { name: 'By owner' }).parentElement!);
    expect(owners.getAllByTestId('velocity-bottleneck')).toHaveLength(v.bottlenecks.filter((b) => b.by === 'owner').length);
  });

  it('draws each pipeline on its own, naming the pipeline of each close and bottleneck, when there are several', async () => {
    const v = sample();
    const renewal = { ...stage('r_due', 'Renewal due', [20, 22, 30, 25, 21]), pipeline: 'renewals', pipeline_label: 'Renewals' };
    const renewed = { ...stage('r_won', 'Won', [], [3]), pipeline: 'renewals', pipeline_label: 'Renewals' };
    v.stages.push(renewal, renewed);
    v.to_close.push({ ...close('r_won', 'Won', 1, 30, 30), pipeline: 'renewals', pipeline_label: 'Renewals' });
    v.bottlenecks.splice(1, 0, bottleneck('owner', 'Ada Admin', renewal));
    mockBackend({ pipelineVelocity: async () => v });
    render(VelocityPage);
    await rows();
    const panels = screen.getAllByTestId('velocity-stage-bars');
    expect(panels.map((p) => p.dataset.pipeline)).toEqual(['Sales', 'Renewals']);
    expect(within(panels[0]).getByRole('heading', { level: 2 })).toHaveTextContent('Time in each stage: Sales');
    expect(within(panels[1]).getAllByTestId('velocity-stage').map((r) => r.dataset.stage)).toEqual(['r_due', 'r_won']);
    // Each pipeline's longest stage is marked in its own bars: the renewals step does not hide the sales one.
    expect(within(panels[0]).getAllByTestId('velocity-stage').filter((r) => r.classList.contains('longest')).map((r) => r.dataset.stage)).toEqual(['engagement']);
    // Two "Won" cards, each with its pipeline.
    const wins = screen.getAllByTestId('velocity-close').filter((c) => c.textContent?.includes('Won'));
    expect(wins.map((c) => within(c).getByTestId('velocity-close-pipeline').textContent?.trim())).toEqual(['Sales', 'Renewals']);
    // An owner's bottleneck in each pipeline, named with it.
    const owners = within(screen.getByRole('heading', { name: 'By owner' }).parentElement!);
    const ada = owners.getAllByTestId('velocity-bottleneck').filter((r) => r.textContent?.includes('Ada Admin'));
    expect(ada.map((r) => within(r).getAllByRole('cell')[1].textContent?.trim())).toEqual([
      'In discussion (Sales)',
      'Renewal due (Renewals)',
    ]);
  });

  it('says there is nothing to show while no lead has been in any stage', async () => {
    const v = sample();
    const blank: Velocity = {
      stages: v.stages.map((s) => ({ ...s, stays: 0, mean_days: null, median_days: null, in_stage_now: 0, mean_age_days: null })),
      to_close: v.to_close.map((c) => ({ ...c, leads: 0, mean_days: null, median_days: null })),
      bottlenecks: [],
    };
    mockBackend({ pipelineVelocity: async () => blank });
    const { unmount } = render(VelocityPage);
    expect(await screen.findByTestId('velocity-empty')).toHaveTextContent(
      "No stage history yet: leads' moves between stages will show here.",
    );
    expect(screen.queryByTestId('velocity-stage')).toBeNull();
    unmount();

    // The fixture's default answers no stage at all: the same.
    mockBackend();
    render(VelocityPage);
    expect(await screen.findByTestId('velocity-empty')).toBeInTheDocument();
  });

  it('says when the figures cannot be read', async () => {
    mockBackend({
      pipelineVelocity: async () => {
        throw apiErr({ code: 'permission_denied', message: 'you may not read leads' });
      },
    });
    render(VelocityPage);
    expect(await screen.findByRole('alert')).toHaveTextContent("Could not load the pipeline's figures: You may not read leads");
    expect(screen.queryByTestId('velocity-stage')).toBeNull();
  });

  it('reads the figures again on Refresh, showing the new ones', async () => {
    const first = sample();
    const be = mockBackend({ pipelineVelocity: async () => first });
    render(VelocityPage);
    await rows();
    expect(be.pipelineVelocity).toHaveBeenCalledTimes(1);

    // A lead has since left the last stage that had none ended.
    const second = sample();
    second.stages[3] = stage('won', 'Won', [9], [20]);
    const answer = deferred<Velocity>();
    be.pipelineVelocity.mockImplementation(() => answer.promise);
    const refresh = screen.getByTestId('velocity-refresh');
    await userEvent.setup().click(refresh);
    expect(be.pipelineVelocity).toHaveBeenCalledTimes(2);
    // The old figures stay while the new ones come, and the button cannot be pressed twice.
    expect(refresh).toBeDisabled();
    expect(await rows()).toHaveLength(first.stages.length);

    answer.resolve(second);
    await waitFor(() => expect(refresh).toBeEnabled());
    const won = (await rows()).find((r) => r.dataset.stage === 'won')!;
    expect(within(won).getByTestId('velocity-stage-ended')).toHaveTextContent(
      `mean ${formatDays(second.stages[3].mean_days!)}`,
    );
  });

  it('recovers from an error with Refresh', async () => {
    const be = mockBackend({
      pipelineVelocity: async () => {
        throw apiErr({ code: 'database_locked', message: 'database is locked' });
      },
    });
    render(VelocityPage);
    await screen.findByRole('alert');
    const v = sample();
    be.pipelineVelocity.mockImplementation(async () => v);
    await userEvent.setup().click(screen.getByTestId('velocity-refresh'));
    expect(await rows()).toHaveLength(v.stages.length);
    expect(screen.queryByRole('alert')).toBeNull();
  });
});

describe('Pipeline in the sidebar', () => {
  it('is offered to every role and opens the page', async () => {
    const u = userEvent.setup();
    for (const role of ['viewer', 'editor', 'administrator'] as const) {
      const be = mockBackend({
        appStatus: async () => ({ startup_error: null, initialized: true, session: sessionFor(role), database_path: 'x' }),
        pipelineVelocity: async () => sample(),
      });
      const { unmount } = render(App);
      const entry = await screen.findByTestId('nav-pipeline');
      expect(entry).toHaveTextContent('Pipeline');
      expect(entry).not.toHaveAttribute('aria-current');
      await u.click(entry);
      expect(await screen.findByTestId('velocity-page')).toBeInTheDocument();
      expect(nav.view.name).toBe('pipeline');
      expect(screen.getByTestId('nav-pipeline')).toHaveAttribute('aria-current', 'page');
      expect(await rows()).toHaveLength(sample().stages.length);
      expect(be.pipelineVelocity).toHaveBeenCalledTimes(1);
      unmount();
      nav.go({ name: 'leads' });
    }
  });

  it('comes right after Calendar', async () => {
    mockBackend({
      appStatus: async () => ({ startup_error: null, initialized: true, session: sessionFor('viewer'), database_path: 'x' }),
    });
    render(App);
    const entry = await screen.findByTestId('nav-pipeline');
    const items = [...entry.closest('ul')!.querySelectorAll('.nav-item')];
    expect(items.indexOf(entry)).toBe(items.indexOf(screen.getByTestId('nav-calendar')) + 1);
  });
});
