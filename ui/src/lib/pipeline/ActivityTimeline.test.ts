import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { activity, apiErr, lead, mockBackend, sessionFor } from '../../test/fixtures';
import { session } from '../session.svelte';
import { toasts } from '../toast.svelte';
import { localTime } from '../format';
import LeadPage from '../leads/LeadPage.svelte';
import type { Activity } from '../types';
import ActivityTimeline from './ActivityTimeline.svelte';

const HOUR = 3600 * 1000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

function sample(): Activity[] {
  return [
    activity({
      id: 1,
      kind: 'call',
      subject: 'Intro call',
      outcome: 'Keen on a demo',
      duration_minutes: 25,
      done_at: ago(72 * HOUR),
    }),
    activity({ id: 2, kind: 'proposal', subject: 'Proposal v2', done_at: ago(2 * HOUR), created_by: 'Ben Seller' }),
    activity({
      id: 3,
      kind: 'task',
      subject: 'Send the contract',
      done_at: null,
      due_at: ago(-48 * HOUR),
      remind_at: ago(-47 * HOUR),
    }),
    activity({ id: 4, kind: 'task', subject: 'Call back', done_at: null, due_at: ago(24 * HOUR), remind_at: ago(24 * HOUR) }),
  ];
}

function setup(list: Activity[] = sample(), canWrite = true, over: Parameters<typeof mockBackend>[0] = {}) {
  const be = mockBackend({ leadActivities: async () => list, ...over });
  render(ActivityTimeline, { leadId: 7, canWrite });
  return { be, u: userEvent.setup() };
}

describe('ActivityTimeline: removing one logged by mistake', () => {
  it('lets who logged it remove it, after asking, and put it back as it was from the toast', async () => {
    session.current = sessionFor('editor', { id: 5 });
    const mine = activity({ id: 8, kind: 'proposal', subject: 'Proposal to the wrong Ann', created_by_id: 5, done_at: ago(HOUR) });
    const theirs = activity({ id: 9, kind: 'call', subject: 'Intro call', created_by_id: 6, done_at: ago(2 * HOUR) });
    const { be, u } = setup([mine, theirs], true, { restoreActivity: vi.fn(async () => mine) });
    const [first, second] = await screen.findAllByTestId('activity-item');
    expect(within(second).queryByTestId('activity-remove')).toBeNull();
    await u.click(within(first).getByTestId('activity-remove'));
    const dialog = await screen.findByTestId('activity-remove-dialog');
    expect(dialog).toHaveTextContent('Proposal sent: Proposal to the wrong Ann');
    expect(be.removeActivity).not.toHaveBeenCalled();
    await u.click(within(dialog).getByTestId('activity-remove-confirm'));
    await waitFor(() => expect(be.removeActivity).toHaveBeenCalledWith(8));
    await waitFor(() => expect(screen.getAllByTestId('activity-item')).toHaveLength(1));
    expect(screen.queryByTestId('activity-remove-dialog')).toBeNull();
    const undo = toasts.items.find((t) => t.action?.testid === 'activity-remove-undo');
    expect(undo?.message).toBe('Proposal sent removed: Proposal to the wrong Ann');
    await undo!.action!.run();
    // Put back as it was (its id and author), not logged anew.
    expect(be.restoreActivity).toHaveBeenCalledWith(8);
    expect(be.logActivity).not.toHaveBeenCalled();
    await waitFor(() => expect(screen.getAllByTestId('activity-item')).toHaveLength(2));
  });

  it("offers an Administrator to remove anyone's, and a reader none", async () => {
    session.current = sessionFor('administrator', { id: 1 });
    setup([activity({ id: 9, subject: 'Intro call', created_by_id: 6 })]);
    expect(within(await screen.findByTestId('activity-item')).getByTestId('activity-remove')).toBeInTheDocument();
    cleanup();
    session.current = sessionFor('viewer', { id: 6 });
    setup([activity({ id: 9, subject: 'Intro call', created_by_id: 6 })], false);
    expect(within(await screen.findByTestId('activity-item')).queryByTestId('activity-remove')).toBeNull();
  });
});

describe('ActivityTimeline', () => {
  it('lists open tasks first (overdue in red), then what happened newest first, each with its kind', async () => {
    const { be } = setup();
    const items = await screen.findAllByTestId('activity-item');
    expect(be.leadActivities).toHaveBeenCalledWith(7);
    expect(items.map((li) => li.getAttribute('data-kind'))).toEqual(['task', 'task', 'proposal', 'call']);
    const subjects = items.map((li) => li.querySelector('.activity-subject')!.textContent!.replace(/\s+/g, ' ').trim());
    expect(subjects).toEqual([
      'Task: Call back',
      'Task: Send the contract',
      'Proposal sent: Proposal v2',
      'Call: Intro call',
    ]);

    const [overdue, upcoming, proposal, call] = items;
    expect(overdue).toHaveClass('overdue');
    expect(overdue).toHaveTextContent('Overdue, was due yesterday');
    expect(upcoming).not.toHaveClass('overdue');
    expect(upcoming).toHaveClass('open');
    expect(upcoming).toHaveTextContent('Due in 2 days · reminder 1 hour before');
    // Past its due time, the reminder is no news.
    expect(within(overdue).queryByTestId('activity-reminder')).toBeNull();
    expect(proposal).not.toHaveClass('open');
    expect(proposal).toHaveTextContent('Proposal sent · 2 hours ago · Ben Seller');
    expect(call).toHaveTextContent('Keen on a demo');
    expect(call).toHaveTextContent('25 min');
    expect(call).toHaveTextContent('Ada Admin');
    // The exact time is a hover away.
    const time = call.querySelector('time')!;
    expect(time).toHaveAttribute('title', localTime(time.getAttribute('datetime')!));
    expect(call.querySelector('svg')).not.toBeNull();
    // Only open tasks can be ticked off.
    expect(within(overdue).getByTestId('activity-done')).toBeInTheDocument();
    expect(within(proposal).queryByTestId('activity-done')).toBeNull();
    expect(screen.queryByTestId('activity-empty')).toBeNull();
  });

  it('invites the first entry when there is none', async () => {
    setup([]);
    expect(await screen.findByTestId('activity-empty')).toHaveTextContent(
      'No activities yet. Log the first call, email or proposal.',
    );
    expect(screen.queryByTestId('activity-item')).toBeNull();
  });

  it('does not ask a viewer to log what they may not', async () => {
    setup([], false);
    expect(await screen.findByTestId('activity-empty')).toHaveTextContent(/^\s*No activities yet\.\s*$/);
  });

  it('logs a call on Enter and shows it at the top of what happened', async () => {
    const logged = activity({ id: 10, subject: 'Follow-up', outcome: 'Wants a quote', duration_minutes: 15, done_at: ago(0) });
    const { be, u } = setup([], true, { logActivity: async () => logged });
    await screen.findByTestId('activity-empty');
    expect(screen.getByTestId('activity-kind')).toHaveValue('call');
    await u.type(screen.getByTestId('activity-subject'), 'Follow-up');
    await u.type(screen.getByTestId('activity-outcome'), 'Wants a quote');
    await u.type(screen.getByTestId('activity-duration'), '15{Enter}');

    await waitFor(() => expect(be.logActivity).toHaveBeenCalledOnce());
    expect(be.logActivity).toHaveBeenCalledWith(7, {
      kind: 'call',
      subject: 'Follow-up',
      body: '',
      outcome: 'Wants a quote',
      duration_minutes: 15,
      due_at: null,
      remind_at: null,
      done_at: null,
      appointment_id: null,
    });
    const [item] = await screen.findAllByTestId('activity-item');
    expect(item).toHaveTextContent('Follow-up');
    expect(screen.queryByTestId('activity-empty')).toBeNull();
    // Ready for the next one.
    expect(screen.getByTestId('activity-subject')).toHaveValue('');
    expect(screen.getByTestId('activity-kind')).toHaveValue('call');
  });

  it('asks for whole minutes, 0 or more, before anything is sent', async () => {
    const { be, u } = setup([]);
    await screen.findByTestId('activity-empty');
    await u.type(screen.getByTestId('activity-subject'), 'Follow-up');
    for (const typed of ['-5', '1.5']) {
      await u.clear(screen.getByTestId('activity-duration'));
      await u.type(screen.getByTestId('activity-duration'), `${typed}{Enter}`);
      expect(await screen.findByText('A whole number of minutes, 0 or more.')).toBeInTheDocument();
    }
    expect(be.logActivity).not.toHaveBeenCalled();
  });

  it('asks a task for its due time instead of an outcome, and sends it as UTC', async () => {
    const { be, u } = setup([]);
    await screen.findByTestId('activity-empty');
    expect(screen.queryByTestId('activity-due')).toBeNull();
    await u.selectOptions(screen.getByTestId('activity-kind'), 'task');
    expect(screen.queryByTestId('activity-outcome')).toBeNull();
    expect(screen.queryByTestId('activity-duration')).toBeNull();
    await u.type(screen.getByTestId('activity-subject'), 'Send the contract');
    // No reminder without a due time to count from.
    expect(screen.getByTestId('activity-remind')).toBeDisabled();
    await fireEvent.input(screen.getByTestId('activity-due'), { target: { value: '2026-12-01T09:30' } });
    expect(screen.getByTestId('activity-remind')).toBeEnabled();
    await u.selectOptions(screen.getByTestId('activity-remind'), '1 hour before');
    await u.click(screen.getByTestId('activity-submit'));
    await waitFor(() => expect(be.logActivity).toHaveBeenCalledOnce());
    expect(be.logActivity.mock.calls[0][1]).toMatchObject({
      kind: 'task',
      subject: 'Send the contract',
      due_at: new Date(2026, 11, 1, 9, 30).toISOString(),
      remind_at: new Date(2026, 11, 1, 8, 30).toISOString(),
      done_at: null,
    });
  });

  it('reminds of a task at its due time unless told otherwise', async () => {
    const { be, u } = setup([]);
    await screen.findByTestId('activity-empty');
    await u.selectOptions(screen.getByTestId('activity-kind'), 'task');
    await u.type(screen.getByTestId('activity-subject'), 'Call back');
    await fireEvent.input(screen.getByTestId('activity-due'), { target: { value: '2026-12-02T10:00' } });
    expect(screen.getByTestId('activity-remind')).toHaveDisplayValue('At the due time');
    await u.click(screen.getByTestId('activity-submit'));
    await waitFor(() => expect(be.logActivity).toHaveBeenCalledOnce());
    expect(be.logActivity.mock.calls[0][1].remind_at).toBe(new Date(2026, 11, 2, 10, 0).toISOString());
  });

  it('needs a subject, and shows the backend’s objections beside their inputs', async () => {
    const { be, u } = setup([], true, {
      logActivity: async () => {
        throw apiErr({
          code: 'validation',
          message: 'duration_minutes: must be at most 1440',
          fields: [{ field: 'duration_minutes', message: 'must be at most 1440' }],
        });
      },
    });
    await screen.findByTestId('activity-empty');
    await u.click(screen.getByTestId('activity-submit'));
    expect(screen.getByTestId('error-subject')).toBeInTheDocument();
    expect(screen.getByTestId('activity-subject')).toHaveFocus();
    expect(be.logActivity).not.toHaveBeenCalled();

    await u.type(screen.getByTestId('activity-subject'), 'Workshop');
    await u.type(screen.getByTestId('activity-duration'), '5000');
    await u.click(screen.getByTestId('activity-submit'));
    const inline = await screen.findByTestId('error-duration_minutes');
    expect(inline).toHaveTextContent('must be at most 1440');
    expect(screen.getByTestId('activity-duration').closest('.field')).toContainElement(inline);
    expect(screen.getByTestId('activity-duration')).toHaveFocus();
    // What was typed stays, to be corrected.
    expect(screen.getByTestId('activity-subject')).toHaveValue('Workshop');
  });

  it('says in the form why an activity could not be logged, keeping what was typed', async () => {
    const { u } = setup([], true, {
      logActivity: async () => {
        throw apiErr({ code: 'database_locked', message: 'the database is busy; try again in a moment' });
      },
    });
    await screen.findByTestId('activity-empty');
    await u.type(screen.getByTestId('activity-subject'), 'Workshop');
    await u.click(screen.getByTestId('activity-submit'));
    expect(await screen.findByTestId('activity-error')).toHaveTextContent(
      'Could not log the call: the database is busy; try again in a moment',
    );
    expect(screen.getByTestId('activity-subject')).toHaveValue('Workshop');
  });

  it('ticks a task off with Done', async () => {
    const task = activity({ id: 3, kind: 'task', subject: 'Send the contract', done_at: null, due_at: ago(-HOUR) });
    const { be, u } = setup([task], true, {
      completeActivity: async (id) => ({ ...task, id, done_at: ago(0) }),
    });
    const [item] = await screen.findAllByTestId('activity-item');
    expect(item).toHaveClass('open');
    await u.click(within(item).getByTestId('activity-done'));
    expect(be.completeActivity).toHaveBeenCalledWith(3);
    await waitFor(() => expect(screen.getByTestId('activity-item')).not.toHaveClass('open'));
    expect(screen.getByTestId('activity-item')).toHaveTextContent('Task done · just now');
    expect(screen.queryByTestId('activity-done')).toBeNull();
    // The button went with the task: the focus is on the list's heading, not lost to the page.
    await waitFor(() => expect(screen.getByRole('heading', { name: 'Activities' })).toHaveFocus());
  });

  it("moves the focus to the next task's Done once one is ticked off from the keyboard", async () => {
    const first = activity({ id: 3, kind: 'task', subject: 'Send the contract', done_at: null, due_at: ago(-HOUR) });
    const second = activity({ id: 4, kind: 'task', subject: 'Call back', done_at: null, due_at: ago(-2 * HOUR) });
    const { u } = setup([first, second], true, {
      completeActivity: async (id) => ({ ...(id === 3 ? first : second), done_at: ago(0) }),
    });
    const buttons = await screen.findAllByTestId('activity-done');
    buttons[0].focus();
    const ticked = buttons[0].getAttribute('aria-label');
    await u.keyboard('{Enter}');
    await waitFor(() => expect(screen.getAllByTestId('activity-done')).toHaveLength(1));
    const left = screen.getByTestId('activity-done');
    expect(left.getAttribute('aria-label')).not.toBe(ticked);
    await waitFor(() => expect(left).toHaveFocus());
  });

  it('shows viewers the activities without the form or Done', async () => {
    setup(sample(), false);
    expect(await screen.findAllByTestId('activity-item')).toHaveLength(4);
    expect(screen.queryByTestId('activity-form')).toBeNull();
    expect(screen.queryByTestId('activity-subject')).toBeNull();
    expect(screen.queryByTestId('activity-done')).toBeNull();
  });
});

describe('Activities on the lead page', () => {
  it('come before the field history, and viewers see them too', async () => {
    const be = mockBackend({ getLead: async () => lead({ id: 7 }), leadActivities: async () => sample() });
    render(LeadPage, { id: 7, canWrite: true, onedit: vi.fn(), onback: vi.fn() });
    const timeline = await screen.findByTestId('activity-timeline');
    expect(be.leadActivities).toHaveBeenCalledWith(7);
    const history = screen.getByTestId('lead-history');
    expect(timeline.compareDocumentPosition(history) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(within(timeline).getByTestId('activity-form')).toBeInTheDocument();
  });

  it('is read-only for a viewer who cannot read the history either', async () => {
    mockBackend({ getLead: async () => lead({ id: 7 }), leadActivities: async () => sample() });
    render(LeadPage, { id: 7, canWrite: false, canReadHistory: false, onedit: vi.fn(), onback: vi.fn() });
    const timeline = await screen.findByTestId('activity-timeline');
    expect(await within(timeline).findAllByTestId('activity-item')).toHaveLength(4);
    expect(within(timeline).queryByTestId('activity-form')).toBeNull();
    expect(within(timeline).queryByTestId('activity-done')).toBeNull();
    expect(screen.queryByTestId('lead-history')).toBeNull();
  });
});
