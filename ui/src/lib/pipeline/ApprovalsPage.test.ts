import { cleanup, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import App from '../../App.svelte';
import { apiErr, approvalRequest, deferred, mockBackend, sessionFor } from '../../test/fixtures';
import { nav } from '../nav.svelte';
import { session } from '../session.svelte';
import { toasts } from '../toast.svelte';
import type { ApprovalRequest, Role } from '../types';
import ApprovalsPage from './ApprovalsPage.svelte';
import { APPROVALS_POLL_MS, approvals } from './approvals.svelte';

const HOUR = 3600 * 1000;
const hoursAgo = (h: number) => new Date(Date.now() - h * HOUR).toISOString();

/** Two waiting moves, sent newest first to show the page lists them oldest first. */
function queue(): ApprovalRequest[] {
  return [
    approvalRequest({
      id: 2,
      lead_id: 9,
      lead_name: 'Alan Turing',
      value: '',
      currency: '',
      rule: 'Reopening a won deal',
      from_stage: 'won',
      to_stage: 'engagement',
      lost_reason: '',
      note: '',
      requested_by: 'Bo Rep',
      requested_at: hoursAgo(1),
    }),
    approvalRequest({ requested_at: hoursAgo(2) }),
  ];
}

function setup(over: Parameters<typeof mockBackend>[0] = {}) {
  session.current = sessionFor('administrator');
  const be = mockBackend({ approvalQueue: async () => queue(), ...over });
  render(ApprovalsPage);
  return { be, u: userEvent.setup() };
}

const item = (id: number) =>
  screen.getAllByTestId('approval-item').find((el) => el.dataset.requestId === String(id)) as HTMLElement;
const lastToast = () => toasts.items.at(-1)?.message ?? '';

describe('the approval queue', () => {
  it('lists the waiting moves oldest first, with what moves where, why, who asked and their note', async () => {
    setup();
    await waitFor(() => expect(screen.getAllByTestId('approval-item')).toHaveLength(2));
    expect(screen.getAllByTestId('approval-item').map((el) => el.dataset.requestId)).toEqual(['1', '2']);
    expect(screen.getByTestId('approvals-count')).toHaveTextContent('2 waiting');

    const grace = within(item(1));
    expect(grace.getByTestId('approval-lead')).toHaveTextContent('Grace Hopper');
    expect(grace.getByTestId('approval-value')).toHaveTextContent('€25,000');
    // The stages by their labels, once the pipeline's settings are read; the lost reason by its label.
    await waitFor(() => expect(grace.getByTestId('approval-move')).toHaveTextContent('In discussion → to Lost'));
    expect(grace.getByTestId('approval-move')).toHaveTextContent('reason: Chose a competitor');
    expect(grace.getByTestId('approval-rule')).toHaveTextContent('Rule: Losing a deal of 10,000 or more');
    expect(grace.getByTestId('approval-requested')).toHaveTextContent('Asked by Eve Editor, 2 hours ago');
    expect(grace.getByTestId('approval-note-text')).toHaveTextContent('They chose Globex');

    const alan = within(item(2));
    expect(alan.getByTestId('approval-move')).toHaveTextContent('Won → to In discussion');
    expect(alan.queryByTestId('approval-value')).toBeNull();
    expect(alan.queryByTestId('approval-note-text')).toBeNull();
    expect(alan.getByTestId('approval-requested')).toHaveTextContent('Asked by Bo Rep, 1 hour ago');
  });

  it('keeps a comment typed on a request through a look at its lead', async () => {
    const { u } = setup();
    await waitFor(() => expect(screen.getAllByTestId('approval-item')).toHaveLength(2));
    await u.type(within(item(2)).getByTestId('approval-comment'), 'Too early');
    await u.click(within(item(2)).getByTestId('approval-lead'));
    expect(nav.view).toEqual({ name: 'lead', id: 9 });
    cleanup();
    render(ApprovalsPage);
    await waitFor(() => expect(screen.getAllByTestId('approval-item')).toHaveLength(2));
    expect(within(item(2)).getByTestId('approval-comment')).toHaveValue('Too early');
    expect(within(item(1)).getByTestId('approval-comment')).toHaveValue('');
  });

  it('opens the lead from its name', async () => {
    const { u } = setup();
    await waitFor(() => expect(screen.getAllByTestId('approval-item')).toHaveLength(2));
    await u.click(within(item(2)).getByTestId('approval-lead'));
    expect(nav.view).toEqual({ name: 'lead', id: 9 });
  });

  it('approves a move, which is then made, and takes it off the list', async () => {
    const answer = deferred<ApprovalRequest>();
    const { be, u } = setup({ decideApproval: () => answer.promise });
    await waitFor(() => expect(screen.getAllByTestId('approval-item')).toHaveLength(2));
    await waitFor(() => expect(within(item(1)).getByTestId('approval-move')).toHaveTextContent('Lost'));
    await u.type(within(item(1)).getByTestId('approval-comment'), ' Fine by me ');
    await u.click(within(item(1)).getByTestId('approval-approve'));
    expect(be.decideApproval).toHaveBeenCalledWith(1, true, 'Fine by me');
    // While it is decided, the other button waits.
    expect(within(item(1)).getByTestId('approval-reject')).toBeDisabled();

    answer.resolve(approvalRequest({ status: 'approved', decided_by: 'Ada Admin', comment: 'Fine by me' }));
    await waitFor(() => expect(screen.getAllByTestId('approval-item')).toHaveLength(1));
    expect(screen.getAllByTestId('approval-item')[0].dataset.requestId).toBe('2');
    expect(lastToast()).toBe('Approved — Grace Hopper moved to Lost');
  });

  it('does not bring back a request decided while a read of the queue was on its way', async () => {
    const slow = deferred<ApprovalRequest[]>();
    let reads = 0;
    const { u } = setup({
      approvalQueue: async () => (++reads === 2 ? slow.promise : queue()),
      decideApproval: async () => approvalRequest({ status: 'approved', decided_by: 'Ada Admin' }),
    });
    await waitFor(() => expect(screen.getAllByTestId('approval-item')).toHaveLength(2));
    await u.click(screen.getByTestId('approvals-refresh'));
    await u.click(within(item(1)).getByTestId('approval-approve'));
    await waitFor(() => expect(screen.getAllByTestId('approval-item')).toHaveLength(1));
    slow.resolve(queue());
    await new Promise((r) => setTimeout(r, 50));
    expect(screen.getAllByTestId('approval-item').map((el) => el.dataset.requestId)).toEqual(['2']);
    expect(approvals.pending).toBe(1);
  });

  it("offers no Approve on one's own request (another Administrator approves it), and Reject still", async () => {
    session.current = sessionFor('administrator', { id: 5 });
    mockBackend({ approvalQueue: async () => [approvalRequest({ requested_by: 'Ada Admin', requested_by_id: 5 })] });
    render(ApprovalsPage);
    await waitFor(() => expect(screen.getAllByTestId('approval-item')).toHaveLength(1));
    const approve = within(item(1)).getByTestId('approval-approve');
    expect(approve).toBeDisabled();
    expect(approve).toHaveAttribute('title', 'Your own request: another Administrator approves it');
  });

  it('rejects only with a comment, which goes with the decision', async () => {
    const { be, u } = setup();
    await waitFor(() => expect(screen.getAllByTestId('approval-item')).toHaveLength(2));
    const alan = within(item(2));
    const reject = alan.getByTestId('approval-reject');
    expect(reject).toBeDisabled();
    expect(alan.getByText('Needed to reject: tell Bo Rep why.')).toBeInTheDocument();
    // Blanks are no comment.
    await u.type(alan.getByTestId('approval-comment'), '   ');
    expect(reject).toBeDisabled();
    await u.type(alan.getByTestId('approval-comment'), 'The contract is signed; keep it won.');
    expect(reject).toBeEnabled();
    expect(alan.getByText('Shown to Bo Rep with your decision.')).toBeInTheDocument();
    await u.click(reject);
    await waitFor(() => expect(screen.getAllByTestId('approval-item')).toHaveLength(1));
    expect(be.decideApproval).toHaveBeenCalledWith(2, false, 'The contract is signed; keep it won.');
    expect(lastToast()).toBe('Rejected — Grace Hopper stays in In discussion');
    expect(screen.getAllByTestId('approval-item')[0].dataset.requestId).toBe('1');
    // The keyboard goes on with the request left, not back to the top of the page.
    await waitFor(() => expect(within(item(1)).getByTestId('approval-lead')).toHaveFocus());
  });

  it("shows the backend's refusal on the request and keeps it, e.g. when the stage's criteria no longer hold", async () => {
    const { be, u } = setup({
      decideApproval: async () => {
        throw apiErr({
          code: 'stage_gate',
          message: 'to enter Lost, this lead needs: Lost reason',
          fields: [{ field: 'lost_reason', message: 'is required' }],
        });
      },
    });
    await waitFor(() => expect(screen.getAllByTestId('approval-item')).toHaveLength(2));
    await u.click(within(item(1)).getByTestId('approval-approve'));
    expect(await within(item(1)).findByTestId('approval-error')).toHaveTextContent(
      'Could not approve the move: To enter Lost, this lead needs: Lost reason',
    );
    expect(be.decideApproval).toHaveBeenCalledWith(1, true, '');
    expect(screen.getAllByTestId('approval-item')).toHaveLength(2);
    expect(within(item(2)).queryByTestId('approval-error')).toBeNull();
    expect(toasts.items).toHaveLength(0);
    // The buttons work again for another try.
    expect(within(item(1)).getByTestId('approval-approve')).toBeEnabled();
  });

  it('reads the queue again when another Administrator decided first, and says a refusal in its own words', async () => {
    let decidedElsewhere = false;
    const { be, u } = setup({
      approvalQueue: async () => (decidedElsewhere ? queue().filter((r) => r.id !== 1) : queue()),
      decideApproval: async (id) => {
        if (id === 1) {
          decidedElsewhere = true;
          throw apiErr({
            code: 'conflict',
            message: 'this approval request was changed by someone else since you opened it; reload it and apply your change again',
          });
        }
        throw apiErr({
          code: 'validation',
          message: 'stage: the lead has moved to Qualification since it was asked; reject the request',
          fields: [{ field: 'stage', message: 'the lead has moved to Qualification since it was asked; reject the request' }],
        });
      },
    });
    await waitFor(() => expect(screen.getAllByTestId('approval-item')).toHaveLength(2));
    await u.click(within(item(1)).getByTestId('approval-approve'));
    await waitFor(() => expect(screen.getAllByTestId('approval-item')).toHaveLength(1));
    expect(lastToast()).toContain('was decided already');
    await u.click(within(item(2)).getByTestId('approval-approve'));
    expect(await within(item(2)).findByTestId('approval-error')).toHaveTextContent(
      'Could not approve the move: The lead has moved to Qualification since it was asked; reject the request',
    );
    expect(within(item(2)).getByTestId('approval-error')).not.toHaveTextContent('stage:');
    expect(be.approvalQueue).toHaveBeenCalledTimes(2);
  });

  it("shows on the request that whoever asked may not approve it, and keeps it: it is not 'decided already'", async () => {
    const { be, u } = setup({
      decideApproval: async () => {
        throw apiErr({
          code: 'validation',
          message: 'status: a request is approved by another Administrator than the one who asked; you may reject it',
          fields: [
            {
              field: 'status',
              message: 'a request is approved by another Administrator than the one who asked; you may reject it',
            },
          ],
        });
      },
    });
    await waitFor(() => expect(screen.getAllByTestId('approval-item')).toHaveLength(2));
    await u.click(within(item(1)).getByTestId('approval-approve'));
    expect(await within(item(1)).findByTestId('approval-error')).toHaveTextContent(
      'Could not approve the move: A request is approved by another Administrator than the one who asked; you may reject it',
    );
    expect(screen.getAllByTestId('approval-item')).toHaveLength(2);
    expect(toasts.items).toHaveLength(0);
    expect(be.approvalQueue).toHaveBeenCalledOnce();
  });

  it('says when nothing waits', async () => {
    setup({ approvalQueue: async () => [] });
    expect(await screen.findByTestId('approvals-empty')).toHaveTextContent('Nothing waits for approval.');
    expect(screen.queryByTestId('approval-item')).toBeNull();
  });

  it('reports a queue that cannot be read, and reads it again with Refresh', async () => {
    let calls = 0;
    const { u } = setup({
      approvalQueue: async () => {
        if (++calls === 1) throw apiErr({ code: 'database_locked', message: 'the database is busy' });
        return queue();
      },
    });
    expect(await screen.findByTestId('approvals-error')).toHaveTextContent(
      'Could not load the approval queue: The database is busy',
    );
    await u.click(screen.getByTestId('approvals-refresh'));
    await waitFor(() => expect(screen.getAllByTestId('approval-item')).toHaveLength(2));
    expect(screen.queryByTestId('approvals-error')).toBeNull();
  });
});

describe('Approvals in the navigation', () => {
  function signedIn(role: Role, over: Parameters<typeof mockBackend>[0] = {}) {
    return mockBackend({
      appStatus: async () => ({ startup_error: null, initialized: true, session: sessionFor(role), database_path: 'x' }),
      approvalQueue: async () => queue(),
      ...over,
    });
  }

  it('is offered to Administrators with the number waiting, which follows their decisions', async () => {
    signedIn('administrator');
    render(App);
    const u = userEvent.setup();
    const entry = await screen.findByTestId('nav-approvals');
    expect(entry).toHaveTextContent('Approvals');
    expect(await screen.findByTestId('nav-approvals-count')).toHaveTextContent('2');
    expect(entry).toHaveTextContent('(2 waiting)');
    // Among the pipeline's screens, after the board.
    const items = [...entry.closest('ul')!.querySelectorAll('.nav-item')];
    expect(items.indexOf(entry)).toBe(items.indexOf(screen.getByTestId('nav-board')) + 1);

    await u.click(entry);
    expect(await screen.findByTestId('approvals-page')).toBeInTheDocument();
    expect(entry).toHaveAttribute('aria-current', 'page');
    await waitFor(() => expect(screen.getAllByTestId('approval-item')).toHaveLength(2));
    await u.type(within(item(2)).getByTestId('approval-comment'), 'No');
    await u.click(within(item(2)).getByTestId('approval-reject'));
    await waitFor(() => expect(screen.getByTestId('nav-approvals-count')).toHaveTextContent('1'));
    await u.click(within(item(1)).getByTestId('approval-approve'));
    await waitFor(() => expect(screen.queryByTestId('nav-approvals-count')).toBeNull());
    expect(entry).toHaveTextContent(/^\s*Approvals\s*$/);
  });

  it('lists a request the minute poll found while the page is open', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      let waiting = queue();
      signedIn('administrator', { approvalQueue: async () => waiting });
      render(App);
      await screen.findByTestId('nav-approvals-count');
      nav.go({ name: 'approvals' });
      await waitFor(() => expect(screen.getAllByTestId('approval-item')).toHaveLength(2));
      waiting = [...waiting, approvalRequest({ id: 3, lead_id: 11, requested_at: hoursAgo(0) })];
      await vi.advanceTimersByTimeAsync(APPROVALS_POLL_MS);
      await waitFor(() => expect(screen.getAllByTestId('approval-item')).toHaveLength(3));
      expect(screen.getByTestId('approvals-count')).toHaveTextContent('3 waiting');
    } finally {
      vi.useRealTimers();
    }
  });

  it('reads the number again every minute', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      let waiting = queue();
      const be = signedIn('administrator', { approvalQueue: async () => waiting });
      render(App);
      expect(await screen.findByTestId('nav-approvals-count')).toHaveTextContent('2');
      const reads = be.approvalQueue.mock.calls.length;
      waiting = [...waiting, approvalRequest({ id: 3, lead_id: 11, requested_at: hoursAgo(0) })];
      await vi.advanceTimersByTimeAsync(APPROVALS_POLL_MS);
      await waitFor(() => expect(screen.getByTestId('nav-approvals-count')).toHaveTextContent('3'));
      expect(be.approvalQueue.mock.calls.length).toBe(reads + 1);
    } finally {
      vi.useRealTimers();
    }
  });

  it.each(['editor', 'viewer'] as const)('is not offered to an %s, who cannot decide', async (role) => {
    const be = signedIn(role);
    render(App);
    await screen.findByTestId('nav-leads');
    expect(screen.getByTestId('nav-board')).toBeInTheDocument();
    expect(screen.queryByTestId('nav-approvals')).toBeNull();
    // Even reached another way, the queue is neither shown nor read.
    nav.go({ name: 'approvals' });
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Only Administrators decide about moves that wait for approval.',
    );
    expect(screen.queryByTestId('approvals-page')).toBeNull();
    expect(be.approvalQueue).not.toHaveBeenCalled();
  });
});
