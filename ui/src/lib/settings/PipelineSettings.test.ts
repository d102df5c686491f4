import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { apiErr, deferred, mockBackend, pipelineConfig, sessionFor } from '../../test/fixtures';
import type { Backend } from '../api';
import { nav } from '../nav.svelte';
import { session } from '../session.svelte';
import type { PipelineConfig, SweepReport } from '../types';
import Toasts from '../ui/Toasts.svelte';
import PipelineSettings from './PipelineSettings.svelte';
import Settings from './Settings.svelte';

function open(over: Partial<Backend> = {}) {
  session.current = sessionFor('administrator');
  const be = mockBackend(over);
  const u = userEvent.setup();
  render(PipelineSettings);
  return { be, u };
}

async function stageRow(key: string): Promise<HTMLElement> {
  await waitFor(() => expect(document.querySelector(`[data-testid="stage-row"][data-stage="${key}"]`)).not.toBeNull());
  return document.querySelector<HTMLElement>(`[data-testid="stage-row"][data-stage="${key}"]`)!;
}

async function editStage(u: ReturnType<typeof userEvent.setup>, key: string): Promise<HTMLElement> {
  await u.click(within(await stageRow(key)).getByTestId('stage-edit'));
  return screen.findByTestId('stage-dialog');
}

/** The default pipeline with one stage changed, as the backend answers after a save. */
function configWith(key: string, over: Partial<PipelineConfig['stages'][number]>): PipelineConfig {
  const c = pipelineConfig();
  return { ...c, stages: c.stages.map((s) => (s.key === key ? { ...s, ...over } : s)) };
}

describe('Settings › Pipeline', () => {
  it('is shown to Administrators, and neither shown nor loaded for anyone else', async () => {
    session.current = sessionFor('administrator');
    mockBackend();
    const { unmount } = render(Settings);
    expect(await screen.findByTestId('settings-pipeline')).toBeInTheDocument();
    unmount();

    for (const role of ['editor', 'viewer'] as const) {
      session.current = sessionFor(role);
      const be = mockBackend();
      const view = render(Settings);
      expect(await screen.findByTestId('pw-current')).toBeInTheDocument();
      expect(screen.queryByTestId('settings-pipeline')).toBeNull();
      expect(screen.queryByTestId('stage-row')).toBeNull();
      expect(be.pipelineConfig).not.toHaveBeenCalled();
      expect(be.businessCalendar).not.toHaveBeenCalled();
      expect(be.approvalRules).not.toHaveBeenCalled();
      expect(be.pipelineSweep).not.toHaveBeenCalled();
      view.unmount();
    }
  });

  it('adds a stage, named as typed and keyed from its name, and opens it to set its probability and criteria', async () => {
    const base = pipelineConfig();
    const negotiation = { ...base.stages[2], key: 'negociation', label: 'Négociation', position: 3, probability: 60 };
    const { be, u } = open({
      createStage: vi.fn(async () => ({ ...base, stages: [...base.stages, negotiation] })),
    });
    await stageRow('new');
    await u.click(screen.getByTestId('stage-add'));
    const dialog = await screen.findByTestId('new-stage-dialog');
    await u.click(within(dialog).getByTestId('new-stage-submit'));
    expect(await within(dialog).findByTestId('error-label')).toHaveTextContent('Name the stage');
    expect(be.createStage).not.toHaveBeenCalled();
    await u.type(within(dialog).getByTestId('new-stage-label'), 'Négociation');
    expect(dialog).toHaveTextContent('Kept as “negociation”');
    await u.click(within(dialog).getByTestId('new-stage-submit'));
    await waitFor(() =>
      expect(be.createStage).toHaveBeenCalledWith({ pipeline: 'sales', key: 'negociation', label: 'Négociation', outcome: 'open' }),
    );
    expect(await screen.findByTestId('stage-dialog')).toHaveTextContent('Edit stage “Négociation”');
    expect(screen.queryByTestId('new-stage-dialog')).toBeNull();
    expect(await stageRow('negociation')).toHaveTextContent('60%');
  });

  it('adds a pipeline and asks its first stage; a pipeline without stages says so', async () => {
    const base = pipelineConfig();
    const withRenewals = { ...base, pipelines: [...base.pipelines, { key: 'renewals', label: 'Renewals' }] };
    const { be, u } = open({
      createPipeline: vi.fn(async () => withRenewals),
      createStage: vi.fn(async () => {
        throw apiErr({ code: 'internal', message: 'the database is busy' });
      }),
    });
    await stageRow('new');
    await u.click(screen.getByTestId('pipeline-add'));
    const dialog = await screen.findByTestId('new-stage-dialog');
    await u.type(within(dialog).getByTestId('new-stage-label'), 'Renewals');
    await u.click(within(dialog).getByTestId('new-stage-submit'));
    await waitFor(() => expect(be.createPipeline).toHaveBeenCalledWith('renewals', 'Renewals'));
    // Its first stage is asked at once, in it.
    const next = await screen.findByTestId('new-stage-dialog');
    expect(within(next).getByTestId('new-stage-pipeline')).toHaveValue('renewals');
    expect(document.querySelector('[data-testid="pipeline-empty"][data-pipeline="renewals"]')).toHaveTextContent('No stages yet');
    await u.type(within(next).getByTestId('new-stage-label'), 'Won');
    await u.click(within(next).getByTestId('new-stage-won'));
    await u.click(within(next).getByTestId('new-stage-submit'));
    expect(await within(next).findByTestId('new-stage-error')).toHaveTextContent('The database is busy');
    // Keys are unique across pipelines: the sales pipeline's "won" is taken.
    expect(be.createStage).toHaveBeenCalledWith({ pipeline: 'renewals', key: 'won_2', label: 'Won', outcome: 'won' });
  });

  it('moves a stage up and down its pipeline from the keyboard, the focus staying on the button pressed', async () => {
    const { be, u } = open();
    const keys = () => screen.getAllByTestId('stage-row').map((r) => r.getAttribute('data-stage'));
    await stageRow('nurture');
    expect(keys()).toEqual(['new', 'qualification', 'engagement', 'won', 'lost', 'nurture']);
    // The first stage stays first: a lead without a stage enters it.
    expect(within(await stageRow('new')).getByTestId('stage-up')).toBeDisabled();
    expect(within(await stageRow('new')).getByTestId('stage-down')).toBeDisabled();
    expect(within(await stageRow('qualification')).getByTestId('stage-up')).toBeDisabled();
    expect(within(await stageRow('nurture')).getByTestId('stage-down')).toBeDisabled();
    const up = within(await stageRow('nurture')).getByRole('button', { name: 'Move Nurture up' });
    await u.click(up);
    await waitFor(() => expect(be.reorderStages).toHaveBeenCalledOnce());
    expect(be.reorderStages).toHaveBeenCalledWith(
      'sales',
      ['new', 'qualification', 'engagement', 'won', 'lost', 'nurture'],
      ['new', 'qualification', 'engagement', 'won', 'nurture', 'lost'],
    );
    await waitFor(() => expect(keys()).toEqual(['new', 'qualification', 'engagement', 'won', 'nurture', 'lost']));
    await waitFor(() => expect(within(document.querySelector<HTMLElement>('[data-stage="nurture"]')!).getByTestId('stage-up')).toHaveFocus());
    await u.keyboard('{Enter}');
    await waitFor(() => expect(be.reorderStages).toHaveBeenCalledTimes(2));
    expect(be.reorderStages.mock.calls[1][2]).toEqual(['new', 'qualification', 'engagement', 'nurture', 'won', 'lost']);
  });

  it('says why a move is refused and shows the stages as they are now', async () => {
    const { be, u } = open({
      reorderStages: async () => {
        throw apiErr({ code: 'conflict', message: 'this order of the stages was changed by someone else', fields: [] });
      },
    });
    render(Toasts);
    await stageRow('qualification');
    const reads = be.pipelineConfig.mock.calls.length;
    await u.click(within(await stageRow('engagement')).getByTestId('stage-up'));
    expect(await screen.findByRole('alert')).toHaveTextContent('Could not move the stage: This order of the stages was changed');
    await waitFor(() => expect(be.pipelineConfig.mock.calls.length).toBe(reads + 1));
    const keys = screen.getAllByTestId('stage-row').map((r) => r.getAttribute('data-stage'));
    expect(keys.slice(0, 2)).toEqual(['new', 'qualification']);
  });

  it('lists every stage with its colour, probability, entry criteria and stale-lead policy', async () => {
    open();
    const rows = await waitFor(() => {
      const r = screen.getAllByTestId('stage-row');
      expect(r).toHaveLength(6);
      return r;
    });
    expect(rows.map((r) => r.dataset.stage)).toEqual(['new', 'qualification', 'engagement', 'won', 'lost', 'nurture']);
    const engagement = await stageRow('engagement');
    expect(within(engagement).getByTestId('stage-row-label')).toHaveTextContent('In discussion');
    expect(within(engagement).getByTestId('stage-row-probability')).toHaveTextContent('10%');
    expect(within(engagement).getByTestId('stage-row-criteria')).toHaveTextContent(
      'Deal value, Currency, Expected close date and Proposal sent',
    );
    expect(within(engagement).getByTestId('stage-row-stale')).toHaveTextContent('After 30 business days → Lost');
    expect(within(await stageRow('nurture')).getByTestId('stage-row-criteria')).toHaveTextContent('Any lead may enter');
    expect(within(await stageRow('won')).getByTestId('stage-row-stale')).toHaveTextContent('Never');
    // A closing stage named for its outcome is not labelled twice ("Won Won").
    expect((await stageRow('won')).querySelector('.badge')).toBeNull();
  });

  it('saves a stage’s settings, then its changed stagnation policy, and shows the stage as saved', async () => {
    const saved = configWith('qualification', {
      label: 'Qualified',
      probability: 25,
      colour: '#ff8800',
      required_fields: ['budget', 'decision_maker', 'need', 'company'],
      required_activities: ['call'],
      asked_when_skipped: true,
    });
    const withPolicy = {
      ...saved,
      stages: saved.stages.map((s) =>
        s.key === 'qualification' ? { ...s, stagnation: { after_days: 15, target: 'lost', lost_reason: 'price' } } : s,
      ),
    };
    const { be, u } = open({ updateStage: async () => withPolicy });
    const dialog = await editStage(u, 'qualification');
    const d = within(dialog);

    // The form starts from the stage as it is.
    expect(d.getByTestId('stage-label')).toHaveValue('Qualification');
    expect(d.getByTestId('stage-required-budget')).toBeChecked();
    expect(d.getByTestId('stage-required-timeline')).toBeChecked();
    expect(d.getByTestId('stage-required-company')).not.toBeChecked();
    expect(d.getByTestId('stage-activity-proposal').closest('label')).toHaveTextContent('Proposal sent');
    expect(d.getByTestId('stage-stale-days')).toHaveValue(20);
    expect(d.getByTestId('stage-stale-target')).toHaveValue('nurture');
    // Only a lost target takes a reason.
    expect(d.queryByTestId('stage-stale-reason')).toBeNull();
    // Neither the stage itself nor the values kept as invalid make sense as a criterion.
    expect(d.queryByTestId('stage-required-stage')).toBeNull();
    expect(d.queryByTestId('stage-required-invalid')).toBeNull();

    await u.clear(d.getByTestId('stage-label'));
    await u.type(d.getByTestId('stage-label'), 'Qualified');
    await u.clear(d.getByTestId('stage-probability'));
    await u.type(d.getByTestId('stage-probability'), '25');
    await fireEvent.input(d.getByTestId('stage-colour'), { target: { value: '#ff8800' } });
    await u.click(d.getByTestId('stage-required-timeline'));
    await u.click(d.getByTestId('stage-required-company'));
    await u.click(d.getByTestId('stage-activity-call'));
    // Asked of the leads moved past it too, as it says.
    expect(d.getByTestId('stage-asked-when-skipped')).not.toBeChecked();
    expect(d.getByTestId('stage-asked-when-skipped').closest('fieldset')).toHaveTextContent(
      'A lead moved past this stage, from an earlier one straight to a later one or created further on, must meet them as well.',
    );
    await u.click(d.getByTestId('stage-asked-when-skipped'));
    await u.clear(d.getByTestId('stage-stale-days'));
    await u.type(d.getByTestId('stage-stale-days'), '15');
    await u.selectOptions(d.getByTestId('stage-stale-target'), 'lost');
    // A stage cannot send its stale leads to itself, nor win them by waiting.
    expect(within(d.getByTestId('stage-stale-target')).queryByRole('option', { name: 'Qualification' })).toBeNull();
    expect(within(d.getByTestId('stage-stale-target')).queryByRole('option', { name: 'Won' })).toBeNull();
    // Nor move them on: only stages less likely to win than this one, as just typed (25%; the others are at
    // 10%), and Lost.
    const offered = within(d.getByTestId('stage-stale-target'))
      .getAllByRole('option')
      .map((o) => o.textContent);
    expect(offered).toEqual(['Choose a stage…', 'New lead', 'In discussion', 'Lost', 'Nurture']);

    // A lost target needs the reason the deal is lost for, before anything is sent.
    await u.click(screen.getByTestId('stage-save'));
    expect(await d.findByTestId('error-lost_reason')).toHaveTextContent('Choose the reason');
    expect(be.updateStage).not.toHaveBeenCalled();
    await u.selectOptions(d.getByTestId('stage-stale-reason'), 'price');
    await u.click(screen.getByTestId('stage-save'));

    // One save, settings and policy together: the core writes both or neither.
    await waitFor(() => expect(be.updateStage).toHaveBeenCalledOnce());
    expect(be.updateStage).toHaveBeenCalledExactlyOnceWith(
      'qualification',
      {
        label: 'Qualified',
        probability: 25,
        colour: '#ff8800',
        // What was required keeps its order; what is new follows.
        required_fields: ['budget', 'decision_maker', 'need', 'company'],
        required_activities: ['call'],
        asked_when_skipped: true,
      },
      { after_days: 15, target: 'lost', lost_reason: 'price' },
      // The stage as the dialog read it: the core refuses the save if another Administrator saved it since.
      pipelineConfig().stages.find((s) => s.key === 'qualification'),
    );

    await waitFor(() => expect(screen.queryByTestId('stage-dialog')).toBeNull());
    const row = await stageRow('qualification');
    expect(within(row).getByTestId('stage-row-label')).toHaveTextContent('Qualified');
    expect(within(row).getByTestId('stage-row-probability')).toHaveTextContent('25%');
    expect(within(row).getByTestId('stage-row-stale')).toHaveTextContent('After 15 business days → Lost (Price)');
    expect(within(row).getByTestId('stage-row-skipped')).toHaveTextContent('Asked of leads that skip it too');
    // The others ask only of the leads entering them.
    expect(within(await stageRow('engagement')).queryByTestId('stage-row-skipped')).toBeNull();
  });

  it('reads the stage again when another Administrator saved it meanwhile: their change shows, what was typed stays', async () => {
    const theirs = configWith('qualification', { probability: 35 });
    let calls = 0;
    const { be, u } = open({
      updateStage: async (key, settings) => {
        calls++;
        if (calls === 1) throw apiErr({ code: 'conflict', message: 'this stage was changed by someone else since you opened it' });
        return configWith(key, { probability: settings.probability, label: settings.label });
      },
    });
    const d = within(await editStage(u, 'qualification'));
    be.pipelineConfig.mockImplementation(async () => theirs);
    await u.clear(d.getByTestId('stage-label'));
    await u.type(d.getByTestId('stage-label'), 'Qualified');
    await u.click(screen.getByTestId('stage-save'));
    expect(await d.findByTestId('stage-error')).toHaveTextContent('Someone changed this stage meanwhile');
    expect(d.getByTestId('stage-error')).toHaveTextContent('Save again');
    // The table shows their change; the form takes it where nothing was typed, and keeps the name typed.
    await waitFor(async () =>
      expect(within(await stageRow('qualification')).getByTestId('stage-row-probability')).toHaveTextContent('35%'),
    );
    expect(d.getByTestId('stage-probability')).toHaveValue(35);
    expect(d.getByTestId('stage-label')).toHaveValue('Qualified');
    await u.click(screen.getByTestId('stage-save'));
    await waitFor(() => expect(screen.queryByTestId('stage-dialog')).toBeNull());
    expect(be.updateStage).toHaveBeenCalledTimes(2);
    const [, settings, , seen] = be.updateStage.mock.calls[1];
    expect(settings).toMatchObject({ label: 'Qualified', probability: 35 });
    expect(seen).toEqual(theirs.stages.find((s) => s.key === 'qualification'));
    expect(within(await stageRow('qualification')).getByTestId('stage-row-label')).toHaveTextContent('Qualified');
  });

  it('offers no stale-lead policy for a closed stage, and says why', async () => {
    const { u } = open();
    const d = within(await editStage(u, 'won'));
    expect(d.getByTestId('stage-stale-closed')).toHaveTextContent('A won deal is closed');
    expect(d.queryByTestId('stage-stale-on')).toBeNull();
    // A lead cannot move past a closing stage: there is nothing to ask of leads skipping it.
    expect(d.queryByTestId('stage-asked-when-skipped')).toBeNull();
  });

  it('leaves an unchanged policy alone, and turns a policy off with null', async () => {
    const { be, u } = open();
    let d = within(await editStage(u, 'engagement'));
    // A reason the list does not hold (any more) stays selected rather than being silently dropped.
    expect(d.getByTestId('stage-stale-reason')).toHaveValue('stagnant');
    await u.clear(d.getByTestId('stage-probability'));
    await u.type(d.getByTestId('stage-probability'), '60');
    await u.click(screen.getByTestId('stage-save'));
    await waitFor(() => expect(be.updateStage).toHaveBeenCalledOnce());
    // The policy goes as it is; the core writes (and logs) it only when it changed.
    const engagement = pipelineConfig().stages.find((s) => s.key === 'engagement')!;
    expect(be.updateStage).toHaveBeenCalledWith(
      'engagement',
      {
        label: 'In discussion',
        probability: 60,
        colour: '#64748b',
        required_fields: ['deal_value', 'currency', 'expected_close'],
        required_activities: ['proposal'],
        asked_when_skipped: false,
      },
      engagement.stagnation,
      engagement,
    );
    await waitFor(() => expect(screen.queryByTestId('stage-dialog')).toBeNull());

    d = within(await editStage(u, 'new'));
    await u.click(d.getByTestId('stage-stale-on'));
    expect(d.getByTestId('stage-stale-days')).toBeDisabled();
    await u.click(screen.getByTestId('stage-save'));
    await waitFor(() => expect(be.updateStage).toHaveBeenCalledTimes(2));
    expect(be.updateStage.mock.lastCall?.[0]).toBe('new');
    expect(be.updateStage.mock.lastCall?.[2]).toBeNull();
  });

  it('shows the backend’s refusals in the dialog, under the setting they concern', async () => {
    const { be, u } = open({
      updateStage: async () => {
        throw apiErr({ code: 'validation', message: 'invalid', fields: [{ field: 'colour', message: 'is a CSS colour, like #0ea5e9' }] });
      },
    });
    const d = within(await editStage(u, 'won'));
    await u.clear(d.getByTestId('stage-probability'));
    await u.type(d.getByTestId('stage-probability'), '101');
    await u.click(screen.getByTestId('stage-save'));
    expect(await d.findByTestId('error-probability')).toHaveTextContent('A whole percentage from 0 to 100.');
    expect(be.updateStage).not.toHaveBeenCalled();

    await u.clear(d.getByTestId('stage-probability'));
    await u.type(d.getByTestId('stage-probability'), '100');
    await u.click(screen.getByTestId('stage-save'));
    expect(await d.findByTestId('error-colour')).toHaveTextContent('Is a CSS colour, like #0ea5e9');
    expect(screen.getByTestId('stage-dialog')).toBeInTheDocument();
    expect(be.updateStage).toHaveBeenCalledOnce();
  });

  it('waits for a save under way before leaving, rather than call the changes unsaved', async () => {
    const reasons = [{ key: 'price', label: 'Price' }];
    const reply = deferred<PipelineConfig>();
    const { be, u } = open({
      pipelineConfig: async () => ({ ...pipelineConfig(), lost_reasons: reasons }),
      setLostReasons: () => reply.promise,
    });
    nav.go({ name: 'settings' });
    const box = within(await screen.findByTestId('lost-reasons'));
    await waitFor(() => expect(box.getAllByTestId('reason-label')).toHaveLength(1));
    await u.type(box.getAllByTestId('reason-label')[0], ' too high');
    await u.click(box.getByTestId('lost-reasons-save'));
    await waitFor(() => expect(be.setLostReasons).toHaveBeenCalledOnce());
    nav.go({ name: 'leads' });
    expect(screen.queryByTestId('confirm-discard-settings')).toBeNull();
    expect(nav.view.name).toBe('settings');
    reply.resolve({ ...pipelineConfig(), lost_reasons: [{ key: 'price', label: 'Price too high' }] });
    await waitFor(() => expect(nav.view.name).toBe('leads'));
    expect(screen.queryByTestId('confirm-discard-settings')).toBeNull();
  });

  it('says a read again that failed above the settings, keeping the reasons typed below', async () => {
    let fail = false;
    const { u } = open({
      reorderStages: async () => {
        throw apiErr({ code: 'conflict', message: 'the stages were reordered by someone else' });
      },
      pipelineConfig: async () => {
        if (fail) throw apiErr({ code: 'database_locked', message: 'the database is busy' });
        return pipelineConfig();
      },
    });
    const label = (await screen.findAllByTestId('reason-label'))[0];
    await u.clear(label);
    await u.type(label, 'Price too high');
    fail = true;
    await u.click(within(await stageRow('nurture')).getByTestId('stage-up'));
    expect(await screen.findByTestId('pipeline-load-error')).toHaveTextContent('The database is busy');
    expect(screen.getAllByTestId('reason-label')[0]).toHaveValue('Price too high');
    expect(nav.unsaved).toBe(true);
  });

  it('asks the same before the sidebar, sign-out or closing the window throws away an edit of a stage', async () => {
    const { u } = open();
    nav.go({ name: 'settings' });
    const d = within(await editStage(u, 'qualification'));
    await u.clear(d.getByTestId('stage-label'));
    await u.type(d.getByTestId('stage-label'), 'Qualified');
    expect(nav.unsaved).toBe(true);
    nav.go({ name: 'leads' });
    expect(await screen.findByTestId('stage-discard-question')).toBeInTheDocument();
    expect(nav.view.name).toBe('settings');
    await u.click(screen.getByTestId('stage-discard'));
    await waitFor(() => expect(nav.view.name).toBe('leads'));
  });

  it('asks before Escape or Cancel throws away an edit of a stage, and closes at once when nothing changed', async () => {
    const { be, u } = open();
    await editStage(u, 'qualification');
    await u.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByTestId('stage-dialog')).toBeNull());

    let d = within(await editStage(u, 'qualification'));
    await u.clear(d.getByTestId('stage-label'));
    await u.type(d.getByTestId('stage-label'), 'Qualified');
    await u.keyboard('{Escape}');
    expect(await screen.findByTestId('stage-discard-question')).toHaveTextContent('Discard what you typed?');
    expect(screen.getByTestId('stage-keep')).toHaveFocus();
    await u.click(screen.getByTestId('stage-keep'));
    expect(screen.queryByTestId('stage-discard-question')).toBeNull();
    expect(d.getByTestId('stage-label')).toHaveValue('Qualified');

    await u.click(screen.getByTestId('stage-cancel'));
    await u.click(await screen.findByTestId('stage-discard'));
    await waitFor(() => expect(screen.queryByTestId('stage-dialog')).toBeNull());

    // A changed stale-lead policy counts too.
    d = within(await editStage(u, 'engagement'));
    await u.clear(d.getByTestId('stage-stale-days'));
    await u.type(d.getByTestId('stage-stale-days'), '12');
    await u.click(screen.getByTestId('stage-cancel'));
    expect(await screen.findByTestId('stage-discard-question')).toBeInTheDocument();
    expect(screen.getByTestId('stage-dialog')).toBeInTheDocument();
    expect(be.updateStage).not.toHaveBeenCalled();
  });

  it('saves nothing when the policy is refused: the stage stays as it was, and the dialog says why', async () => {
    const { be, u } = open({
      updateStage: async () => {
        throw apiErr({ code: 'validation', message: 'invalid', fields: [{ field: 'after_days', message: 'is 1 to 3650 business days' }] });
      },
    });
    const d = within(await editStage(u, 'new'));
    await u.clear(d.getByTestId('stage-label'));
    await u.type(d.getByTestId('stage-label'), 'Fresh');
    await u.clear(d.getByTestId('stage-stale-days'));
    await u.type(d.getByTestId('stage-stale-days'), '12');
    await u.click(screen.getByTestId('stage-save'));
    expect(await d.findByTestId('error-after_days')).toHaveTextContent('Is 1 to 3650 business days');
    expect(be.updateStage.mock.lastCall?.[2]).toEqual({ after_days: 12, target: 'nurture', lost_reason: null });
    expect(within(await stageRow('new')).getByTestId('stage-row-label')).toHaveTextContent('New lead');
  });

  it('edits the lost reasons as one list: renamed, added, reordered, removed, saved with the list as read', async () => {
    const reasons = [
      { key: 'price', label: 'Price' },
      { key: 'competitor', label: 'Chose a competitor' },
      { key: 'stagnant', label: 'Inactive too long' },
    ];
    const { be, u } = open({
      pipelineConfig: async () => ({ ...pipelineConfig(), lost_reasons: reasons }),
      setLostReasons: async (_seen, saved) => ({ ...pipelineConfig(), lost_reasons: saved }),
    });
    const box = within(await screen.findByTestId('lost-reasons'));
    const labels = () => box.getAllByTestId('reason-label').map((i) => (i as HTMLInputElement).value);
    await waitFor(() => expect(labels()).toEqual(['Price', 'Chose a competitor', 'Inactive too long']));
    expect(box.getByTestId('lost-reasons-save')).toBeDisabled();
    expect(box.getAllByTestId('reason-up')[0]).toBeDisabled();

    const rows = () => box.getAllByTestId('reason-row');
    await u.clear(within(rows()[2]).getByTestId('reason-label'));
    await u.type(within(rows()[2]).getByTestId('reason-label'), 'Gone quiet');
    await u.click(within(rows()[1]).getByTestId('reason-remove'));
    await u.click(box.getByTestId('reason-add'));
    // The new row's label has the focus.
    expect(box.getAllByTestId('reason-label')[2]).toHaveFocus();

    // Unnamed, or named like another reason (its label or its key, in any case): refused before the backend.
    await u.click(box.getByTestId('lost-reasons-save'));
    expect(await box.findByTestId('reason-error')).toHaveTextContent('Name the reason');
    await u.type(box.getAllByTestId('reason-label')[2], 'PRICE');
    await u.click(box.getByTestId('lost-reasons-save'));
    await waitFor(() =>
      expect(within(rows()[2]).getByTestId('reason-error')).toHaveTextContent('Another reason has this name'),
    );
    expect(within(rows()[0]).getByTestId('reason-error')).toHaveTextContent('Another reason has this name');
    expect(be.setLostReasons).not.toHaveBeenCalled();
    await u.clear(box.getAllByTestId('reason-label')[2]);
    await u.type(box.getAllByTestId('reason-label')[2], 'Décision reportée');
    await u.click(box.getAllByTestId('reason-up')[2]);
    expect(labels()).toEqual(['Price', 'Décision reportée', 'Gone quiet']);

    await u.click(box.getByTestId('lost-reasons-save'));
    await waitFor(() => expect(be.setLostReasons).toHaveBeenCalledOnce());
    const [seen, saved] = be.setLostReasons.mock.calls[0];
    expect(seen).toEqual(reasons);
    // A renamed reason keeps its key, so the leads that hold it keep it; a new one is keyed from its label.
    expect(saved).toEqual([
      { key: 'price', label: 'Price' },
      { key: 'decision_reportee', label: 'Décision reportée' },
      { key: 'stagnant', label: 'Gone quiet' },
    ]);
    await waitFor(() => expect(box.getByTestId('lost-reasons-save')).toBeDisabled());
    expect(box.queryByTestId('reason-error')).toBeNull();
    // The stages' stale-lead policies name the reason by its new name.
    expect(within(await stageRow('engagement')).getByTestId('stage-row-stale')).toHaveTextContent('Gone quiet');
  });

  it('keeps the edit when another Administrator saved the lost reasons meanwhile, and saves it over theirs on request', async () => {
    let theirs = [
      { key: 'price', label: 'Price' },
      { key: 'competitor', label: 'Chose a competitor' },
    ];
    const { be, u } = open({
      pipelineConfig: async () => ({ ...pipelineConfig(), lost_reasons: theirs }),
      setLostReasons: vi.fn(async (seen, saved) => {
        if (JSON.stringify(seen) !== JSON.stringify(theirs)) {
          throw apiErr({ code: 'conflict', message: 'the list of lost reasons was changed by someone else since you opened it' });
        }
        return { ...pipelineConfig(), lost_reasons: saved };
      }),
    });
    const box = within(await screen.findByTestId('lost-reasons'));
    await waitFor(() => expect(box.getAllByTestId('reason-row')).toHaveLength(2));
    // Another Administrator adds a reason.
    theirs = [...theirs, { key: 'timing', label: 'Bad timing' }];
    await u.clear(box.getAllByTestId('reason-label')[0]);
    await u.type(box.getAllByTestId('reason-label')[0], 'Too expensive');
    await u.click(box.getByTestId('lost-reasons-save'));
    expect(await box.findByTestId('lost-reasons-error')).toHaveTextContent('Another Administrator saved this');
    expect((box.getAllByTestId('reason-label')[0] as HTMLInputElement).value).toBe('Too expensive');
    await u.click(box.getByTestId('lost-reasons-save'));
    await waitFor(() => expect(be.setLostReasons).toHaveBeenCalledTimes(2));
    expect(be.setLostReasons.mock.calls[1][0]).toEqual(theirs);
    await waitFor(() => expect(box.queryByTestId('lost-reasons-error')).toBeNull());
  });

  it('shows why the backend refused the lost reasons, and keeps the edit', async () => {
    const { u } = open({
      setLostReasons: async () => {
        throw apiErr({
          code: 'validation',
          message: 'invalid',
          fields: [{ field: 'lost_reasons', message: '"Price" is the reason of 3 lost lead(s); keep it' }],
        });
      },
    });
    const box = within(await screen.findByTestId('lost-reasons'));
    await waitFor(() => expect(box.getAllByTestId('reason-row')).toHaveLength(2));
    await u.click(box.getAllByTestId('reason-remove')[0]);
    await u.click(box.getByTestId('lost-reasons-save'));
    expect(await box.findByTestId('lost-reasons-error')).toHaveTextContent('is the reason of 3 lost lead(s); keep it');
    expect(box.getAllByTestId('reason-row')).toHaveLength(1);
    expect(box.getByTestId('lost-reasons-save')).toBeEnabled();
    // Removing the last one is refused before the backend: a lost stage needs a reason to give.
    await u.click(box.getAllByTestId('reason-remove')[0]);
    expect(box.getByTestId('lost-reasons-empty')).toBeInTheDocument();
    await u.click(box.getByTestId('lost-reasons-save'));
    expect(await box.findByTestId('lost-reasons-error')).toHaveTextContent('Keep at least one reason');
  });

  it('saves the working days and holidays of the business calendar', async () => {
    const { be, u } = open({
      businessCalendar: async () => ({
        working_days: [1, 2, 3, 4, 5],
        holidays: [
          { day: '2026-12-26', label: 'Boxing Day' },
          { day: '2026-01-01', label: 'New Year' },
        ],
        time_zone: 'Europe/London',
      }),
    });
    const cal = within(await screen.findByTestId('business-calendar'));
    await waitFor(() => expect(cal.getByTestId('workday-1')).toBeChecked());
    expect(cal.getByTestId('workday-6')).not.toBeChecked();
    expect(cal.getByTestId('calendar-save')).toBeDisabled();
    // Listed in date order.
    expect(cal.getAllByTestId('holiday-row').map((r) => r.dataset.day)).toEqual(['2026-01-01', '2026-12-26']);
    expect(cal.getByTestId('business-zone')).toHaveValue('Europe/London');

    await u.click(cal.getByTestId('workday-5'));
    await u.click(cal.getByTestId('workday-6'));
    await u.click(cal.getAllByTestId('holiday-remove')[0]);
    await fireEvent.input(cal.getByTestId('holiday-date'), { target: { value: '2026-12-25' } });
    await u.type(cal.getByTestId('holiday-label'), 'Christmas Day{Enter}');
    expect(cal.getAllByTestId('holiday-row').map((r) => r.dataset.day)).toEqual(['2026-12-25', '2026-12-26']);
    // The same day twice is refused.
    await fireEvent.input(cal.getByTestId('holiday-date'), { target: { value: '2026-12-25' } });
    await u.click(cal.getByTestId('holiday-add'));
    expect(cal.getByTestId('holiday-error')).toHaveTextContent('is already a holiday');
    await fireEvent.input(cal.getByTestId('holiday-date'), { target: { value: '' } });
    await u.selectOptions(cal.getByTestId('business-zone'), 'America/Los_Angeles');
    expect(be.setBusinessCalendar).not.toHaveBeenCalled();

    await u.click(cal.getByTestId('calendar-save'));
    await waitFor(() => expect(be.setBusinessCalendar).toHaveBeenCalledOnce());
    // The calendar as read goes along, so a save over another Administrator's is refused.
    expect(be.setBusinessCalendar).toHaveBeenCalledWith(
      {
        working_days: [1, 2, 3, 4, 5],
        holidays: [
          { day: '2026-12-26', label: 'Boxing Day' },
          { day: '2026-01-01', label: 'New Year' },
        ],
        time_zone: 'Europe/London',
      },
      {
        working_days: [1, 2, 3, 4, 6],
        holidays: [
          { day: '2026-12-25', label: 'Christmas Day' },
          { day: '2026-12-26', label: 'Boxing Day' },
        ],
        time_zone: 'America/Los_Angeles',
      },
    );
    await waitFor(() => expect(cal.getByTestId('calendar-save')).toBeDisabled());
  });

  it('asks before leaving the business calendar with unsaved changes, and leaves it unasked once saved', async () => {
    const { u } = open({ businessCalendar: async () => ({ working_days: [1, 2, 3, 4, 5], holidays: [], time_zone: 'UTC' }) });
    const cal = within(await screen.findByTestId('business-calendar'));
    await waitFor(() => expect(cal.getByTestId('workday-1')).toBeChecked());
    nav.go({ name: 'settings' });
    await u.click(cal.getByTestId('workday-6'));
    nav.go({ name: 'leads' });
    expect(await screen.findByTestId('confirm-discard-settings')).toHaveTextContent(
      'Discard your changes to the business calendar?',
    );
    expect(nav.view).toEqual({ name: 'settings' });
    await u.click(screen.getByTestId('confirm-discard-settings-keep'));
    expect(cal.getByTestId('workday-6')).toBeChecked();
    await u.click(cal.getByTestId('calendar-save'));
    await waitFor(() => expect(cal.getByTestId('calendar-save')).toBeDisabled());
    nav.go({ name: 'leads' });
    expect(nav.view).toEqual({ name: 'leads' });
  });

  it('asks before leaving a holiday date picked but not yet added, as its Save button counts it', async () => {
    const { u } = open({ businessCalendar: async () => ({ working_days: [1, 2, 3, 4, 5], holidays: [], time_zone: 'UTC' }) });
    const cal = within(await screen.findByTestId('business-calendar'));
    await waitFor(() => expect(cal.getByTestId('workday-1')).toBeChecked());
    nav.go({ name: 'settings' });
    await fireEvent.input(cal.getByTestId('holiday-date'), { target: { value: '2026-12-25' } });
    expect(cal.getByTestId('calendar-save')).toBeEnabled();
    nav.go({ name: 'leads' });
    expect(await screen.findByTestId('confirm-discard-settings')).toHaveTextContent('the business calendar');
    expect(nav.view).toEqual({ name: 'settings' });
    await u.click(screen.getByTestId('confirm-discard-settings-keep'));
    expect(cal.getByTestId('holiday-date')).toHaveValue('2026-12-25');
  });

  it('asks before leaving approval rules with unsaved changes', async () => {
    const { u } = open();
    const rules = within(await screen.findByTestId('approval-rules'));
    const rows = await waitFor(() => {
      const r = rules.getAllByTestId('rule-row');
      expect(r).toHaveLength(2);
      return r;
    });
    nav.go({ name: 'settings' });
    await u.clear(within(rows[0]).getByTestId('rule-min'));
    await u.type(within(rows[0]).getByTestId('rule-min'), '5000');
    nav.go({ name: 'leads' });
    expect(await screen.findByTestId('confirm-discard-settings')).toHaveTextContent('the approval rules');
    await u.click(screen.getByTestId('confirm-discard-settings-discard'));
    expect(nav.view).toEqual({ name: 'leads' });
  });

  it('edits, adds and removes approval rules and saves the whole list', async () => {
    const { be, u } = open();
    const rules = within(await screen.findByTestId('approval-rules'));
    const rows = await waitFor(() => {
      const r = rules.getAllByTestId('rule-row');
      expect(r).toHaveLength(2);
      return r;
    });
    expect(within(rows[0]).getByTestId('rule-label')).toHaveValue('Losing a deal of 10,000 or more');
    expect(within(rows[0]).getByTestId('rule-from')).toHaveValue('');
    expect(within(rows[0]).getByTestId('rule-to')).toHaveValue('lost');
    expect(within(rows[0]).getByTestId('rule-min')).toHaveValue(10000);
    expect(rules.getByTestId('approval-rules-save')).toBeDisabled();

    await u.clear(within(rows[0]).getByTestId('rule-min'));
    await u.type(within(rows[0]).getByTestId('rule-min'), '5000');
    await u.type(within(rows[0]).getByTestId('rule-currency'), 'eur');
    await u.click(within(rows[1]).getByTestId('rule-remove'));
    await u.click(rules.getByTestId('rule-add'));
    const added = rules.getAllByTestId('rule-row')[1];
    await u.selectOptions(within(added).getByTestId('rule-from'), 'engagement');
    await u.selectOptions(within(added).getByTestId('rule-to'), 'won');

    // A rule without a label says nothing to whoever must approve: refused before the backend.
    await u.click(rules.getByTestId('approval-rules-save'));
    expect(await rules.findByTestId('rule-error')).toHaveTextContent('Say what the rule is for');
    expect(be.setApprovalRules).not.toHaveBeenCalled();
    await u.type(within(added).getByTestId('rule-label'), 'Winning a deal from discussion');
    // A currency is a minimum's: alone it limits nothing, and is refused before the backend.
    await u.type(within(added).getByTestId('rule-currency'), 'usd');
    await u.click(rules.getByTestId('approval-rules-save'));
    expect(await rules.findByTestId('rule-error')).toHaveTextContent('A currency is the minimum value’s');
    expect(be.setApprovalRules).not.toHaveBeenCalled();
    await u.clear(within(added).getByTestId('rule-currency'));

    await u.click(rules.getByTestId('approval-rules-save'));
    await waitFor(() => expect(be.setApprovalRules).toHaveBeenCalledOnce());
    const [seen, saved] = be.setApprovalRules.mock.calls[0];
    // The rules as they were read go along, so a save over another Administrator's is refused.
    expect(seen).toEqual([
      { id: 1, from_stage: null, to_stage: 'lost', min_value: 10000, min_currency: '', label: 'Losing a deal of 10,000 or more' },
      { id: 2, from_stage: 'won', to_stage: null, min_value: null, min_currency: '', label: 'Reopening a won deal' },
    ]);
    expect(saved).toEqual([
      {
        id: 1,
        from_stage: null,
        to_stage: 'lost',
        min_value: 5000,
        min_currency: 'EUR',
        label: 'Losing a deal of 10,000 or more',
      },
      { id: 0, from_stage: 'engagement', to_stage: 'won', min_value: null, min_currency: '', label: 'Winning a deal from discussion' },
    ]);
    expect(rules.queryByTestId('rule-error')).toBeNull();
  });

  it('previews the sweep’s moves with their counts, then runs it after a confirmation', async () => {
    const preview: SweepReport = {
      dry_run: true,
      moves: [
        {
          lead_id: 11,
          name: 'Grace Hopper',
          from_stage: 'engagement',
          to_stage: 'lost',
          inactive_days: 34,
          inactive_since: '2026-10-01T09:00:00Z',
          owner: 'Ada Admin',
          refused: null,
        },
        {
          lead_id: 12,
          name: 'Alan Turing',
          from_stage: 'qualification',
          to_stage: 'nurture',
          inactive_days: 21,
          inactive_since: '2026-10-20T09:00:00Z',
          owner: null,
          refused: 'Nurture needs a deal value',
        },
      ],
      moved: 1,
      refused: 1,
    };
    const { be, u } = open({
      pipelineSweep: async (dryRun) => (dryRun ? preview : { ...preview, dry_run: false }),
    });
    const panel = within(await screen.findByTestId('sweep-panel'));
    await u.click(panel.getByTestId('sweep-preview'));
    await waitFor(() => expect(panel.getAllByTestId('sweep-move')).toHaveLength(2));
    expect(be.pipelineSweep).toHaveBeenCalledExactlyOnceWith(true);
    expect(panel.getByTestId('sweep-summary')).toHaveTextContent(
      "Preview: 1 lead would move; 1 lead would be refused by the target stage's criteria.",
    );
    const [grace, alan] = panel.getAllByTestId('sweep-move');
    expect(grace).toHaveTextContent('Grace Hopper');
    expect(grace).toHaveTextContent('In discussion → Lost');
    expect(grace).toHaveTextContent('34 business days');
    expect(within(grace).getByTestId('sweep-outcome')).toHaveTextContent('Would move');
    expect(alan).toHaveTextContent('Qualification → Nurture');
    expect(within(alan).getByTestId('sweep-outcome')).toHaveTextContent('Refused: Nurture needs a deal value');

    // Run now asks first; cancelling moves nothing.
    await u.click(panel.getByTestId('sweep-run'));
    const confirm = await screen.findByTestId('sweep-confirm-dialog');
    expect(confirm).toHaveTextContent('The last preview found 1 lead to move.');
    await u.click(screen.getByTestId('sweep-cancel'));
    expect(be.pipelineSweep).toHaveBeenCalledTimes(1);

    await u.click(panel.getByTestId('sweep-run'));
    await u.click(await screen.findByTestId('sweep-confirm'));
    await waitFor(() => expect(be.pipelineSweep).toHaveBeenLastCalledWith(false));
    await waitFor(() => expect(panel.getByTestId('sweep-summary')).toHaveTextContent("Done: Moved 1 lead; 1 lead was refused by the target stage's criteria."));
    expect(screen.queryByTestId('sweep-confirm-dialog')).toBeNull();
    expect(within(panel.getAllByTestId('sweep-move')[0]).getByTestId('sweep-outcome')).toHaveTextContent('Moved');

    // A lead in the list opens its page.
    await u.click(within(panel.getAllByTestId('sweep-move')[0]).getByRole('button', { name: 'Grace Hopper' }));
    expect(nav.view).toEqual({ name: 'lead', id: 11 });
  });

  it('drops the sweep preview once a stage is saved, so the count it gave is not taken as current', async () => {
    const preview: SweepReport = { dry_run: true, moves: [], moved: 4, refused: 0 };
    const saved = configWith('engagement', { stagnation: { after_days: 60, target: 'lost', lost_reason: 'price' } });
    const { u } = open({ pipelineSweep: async () => preview, updateStage: async () => saved });
    const panel = within(await screen.findByTestId('sweep-panel'));
    await u.click(panel.getByTestId('sweep-preview'));
    await waitFor(() => expect(panel.getByTestId('sweep-summary')).toHaveTextContent('Preview: 4 leads would move.'));

    const d = within(await editStage(u, 'engagement'));
    await u.clear(d.getByTestId('stage-stale-days'));
    await u.type(d.getByTestId('stage-stale-days'), '60');
    await u.click(screen.getByTestId('stage-save'));
    await waitFor(() => expect(screen.queryByTestId('stage-dialog')).toBeNull());

    expect(panel.queryByTestId('sweep-summary')).toBeNull();
    await u.click(panel.getByTestId('sweep-run'));
    expect(await screen.findByTestId('sweep-confirm-dialog')).not.toHaveTextContent('The last preview found');
  });

  it('drops the sweep preview once the business calendar is saved: the days it counted have changed', async () => {
    const preview: SweepReport = { dry_run: true, moves: [], moved: 4, refused: 0 };
    const { u } = open({ pipelineSweep: async () => preview });
    const panel = within(await screen.findByTestId('sweep-panel'));
    await u.click(panel.getByTestId('sweep-preview'));
    await waitFor(() => expect(panel.getByTestId('sweep-summary')).toHaveTextContent('Preview: 4 leads would move.'));

    const calendar = within(await screen.findByTestId('business-calendar'));
    await u.click(await calendar.findByTestId('workday-6'));
    await u.click(calendar.getByTestId('calendar-save'));
    await waitFor(() => expect(panel.queryByTestId('sweep-summary')).toBeNull());
    await u.click(panel.getByTestId('sweep-run'));
    expect(await screen.findByTestId('sweep-confirm-dialog')).not.toHaveTextContent('The last preview found');
  });

  it('says when the sweep would move nothing, and shows a refused run in the confirmation', async () => {
    const { u } = open({
      pipelineSweep: async (dryRun) => {
        if (dryRun) return { dry_run: true, moves: [], moved: 0, refused: 0 };
        throw apiErr({ code: 'permission_denied', message: 'only Administrators may run the sweep' });
      },
    });
    const panel = within(await screen.findByTestId('sweep-panel'));
    await u.click(panel.getByTestId('sweep-preview'));
    expect(await panel.findByTestId('sweep-empty')).toBeInTheDocument();
    expect(panel.getByTestId('sweep-summary')).toHaveTextContent('0 leads would move.');
    await u.click(panel.getByTestId('sweep-run'));
    await u.click(await screen.findByTestId('sweep-confirm'));
    expect(await within(screen.getByTestId('sweep-confirm-dialog')).findByRole('alert')).toHaveTextContent(
      'Only Administrators may run the sweep',
    );
  });
});
