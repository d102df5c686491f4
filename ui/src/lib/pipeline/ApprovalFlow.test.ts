// Moves an approval rule holds: asked for from the board and from the lead form, shown on the lead's page.
import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { apiErr, approvalRequest, boardCard, boardColumn, lead, mockBackend, savedLead, sessionFor } from '../../test/fixtures';
import LeadForm from '../leads/LeadForm.svelte';
import LeadPage from '../leads/LeadPage.svelte';
import { nav } from '../nav.svelte';
import { session } from '../session.svelte';
import { toasts } from '../toast.svelte';
import type { Board, Role } from '../types';
import BoardPage from './BoardPage.svelte';

const MESSAGE =
  "Moving this lead to Lost needs an Administrator's approval (Losing a deal of 10,000 or more): request it";
const approvalRefusal = () => apiErr({ code: 'approval_required', message: MESSAGE });
const lastToast = () => toasts.items.at(-1)?.message ?? '';
const hoursAgo = (h: number) => new Date(Date.now() - h * 3600 * 1000).toISOString();

function board(): Board {
  return {
    pipeline: 'sales',
    columns: [
      boardColumn('new', [boardCard(12, { name: 'Bob Stone' })]),
      boardColumn('engagement', [
        boardCard(11, { name: 'Ann Lee', value: '25000.00', currency: 'EUR', version: 4 }),
      ]),
      boardColumn('nurture', []),
    ],
  };
}

function setupBoard(over: Parameters<typeof mockBackend>[0] = {}, role: Role = 'editor') {
  session.current = sessionFor(role);
  const be = mockBackend({ pipelineBoard: async () => board(), ...over });
  render(BoardPage);
  return { be, u: userEvent.setup() };
}

const cardEl = (id: number) => document.querySelector<HTMLElement>(`[data-testid="board-card"][data-lead-id="${id}"]`)!;
const columnOf = (key: string) =>
  screen.getAllByTestId('board-column').find((c) => c.dataset.stage === key) as HTMLElement;
const cardIds = (key: string) =>
  within(columnOf(key))
    .queryAllByTestId('board-card')
    .map((c) => Number(c.dataset.leadId));

async function moveFromMenu(u: ReturnType<typeof userEvent.setup>, id: number, to: string) {
  await u.click(within(cardEl(id)).getByTestId('card-move'));
  await u.click(screen.getByTestId(`move-to-${to}`));
}

describe('a move held for approval, on the board', () => {
  it('puts the card back and asks for the approval, with a lost reason and a note', async () => {
    const { be, u } = setupBoard({
      moveLead: async () => {
        throw approvalRefusal();
      },
    });
    await screen.findAllByTestId('board-card');
    await moveFromMenu(u, 11, 'lost');
    const dialog = await screen.findByTestId('approval-request-dialog');
    expect(be.moveLead).toHaveBeenCalledWith(11, 4, 'lost', null);
    // Nothing moved: the card is back in its column while the rep asks.
    expect(cardIds('engagement')).toEqual([11]);
    expect(within(dialog).getByTestId('approval-request-message')).toHaveTextContent(MESSAGE);
    expect(screen.queryByTestId('gate-dialog')).toBeNull();
    expect(within(cardEl(11)).queryByTestId('card-awaiting-approval')).toBeNull();

    await waitFor(() => expect(within(dialog).getAllByRole('option')).toHaveLength(3));
    await u.selectOptions(within(dialog).getByTestId('approval-lost-reason'), 'price');
    await u.type(within(dialog).getByTestId('approval-note'), 'Budget cut to zero');
    await u.click(within(dialog).getByTestId('approval-request-submit'));

    await waitFor(() => expect(screen.queryByTestId('approval-request-dialog')).toBeNull());
    expect(be.requestMove).toHaveBeenCalledWith(11, 4, 'lost', 'price', 'Budget cut to zero');
    expect(lastToast()).toBe('Approval requested');
    expect(cardIds('engagement')).toEqual([11]);
    expect(within(cardEl(11)).getByTestId('card-awaiting-approval')).toHaveTextContent('Awaiting approval');
    expect(within(cardEl(12)).queryByTestId('card-awaiting-approval')).toBeNull();
  });

  it('shows the waiting state the backend knows: asked in another session, and gone once decided', async () => {
    let pending = true;
    const { u } = setupBoard({
      pipelineBoard: async () => {
        const b = board();
        const engagement = b.columns.find((c) => c.stage.key === 'engagement')!;
        engagement.cards = engagement.cards.map((c) => ({ ...c, awaiting_approval: pending }));
        return b;
      },
    });
    await screen.findAllByTestId('board-card');
    expect(within(cardEl(11)).getByTestId('card-awaiting-approval')).toHaveTextContent('Awaiting approval');
    // An Administrator decides meanwhile; Refresh shows it.
    pending = false;
    await u.click(screen.getByTestId('board-refresh'));
    await waitFor(() => expect(within(cardEl(11)).queryByTestId('card-awaiting-approval')).toBeNull());
  });

  it('gives the focus back to the card once the approval is asked for, or the dialog cancelled', async () => {
    const { u } = setupBoard({
      moveLead: async () => {
        throw approvalRefusal();
      },
    });
    await screen.findAllByTestId('board-card');
    await moveFromMenu(u, 11, 'nurture');
    await u.click(within(await screen.findByTestId('approval-request-dialog')).getByTestId('approval-request-submit'));
    await waitFor(() => expect(screen.queryByTestId('approval-request-dialog')).toBeNull());
    await waitFor(() => expect(cardEl(11).contains(document.activeElement)).toBe(true));
    await moveFromMenu(u, 12, 'nurture');
    await u.click(await screen.findByTestId('approval-request-cancel'));
    await waitFor(() => expect(cardEl(12).contains(document.activeElement)).toBe(true));
  });

  it('asks nothing when the rep cancels', async () => {
    const { be, u } = setupBoard({
      moveLead: async () => {
        throw approvalRefusal();
      },
    });
    await screen.findAllByTestId('board-card');
    await moveFromMenu(u, 11, 'lost');
    await u.click(await screen.findByTestId('approval-request-cancel'));
    expect(screen.queryByTestId('approval-request-dialog')).toBeNull();
    expect(be.requestMove).not.toHaveBeenCalled();
    expect(cardIds('engagement')).toEqual([11]);
    expect(within(cardEl(11)).queryByTestId('card-awaiting-approval')).toBeNull();
    expect(toasts.items).toHaveLength(0);
  });

  it('goes on to the approval once the gate dialog has what the stage needs', async () => {
    // At the version its card shows: it was not changed while the dialog was open.
    const stored = lead({ id: 11, version: 4, first_name: 'Ann', last_name: 'Lee' });
    let moves = 0;
    const { be, u } = setupBoard({
      moveLead: async () => {
        if (++moves === 1) {
          throw apiErr({
            code: 'stage_gate',
            message: 'To enter Lost, this lead needs: Lost reason',
            fields: [{ field: 'lost_reason', message: 'is required' }],
          });
        }
        throw approvalRefusal();
      },
      getLead: async () => stored,
      updateLead: async (id, version, input) =>
        savedLead(lead({ ...stored, version: version + 1, deal: { ...stored.deal, ...input.deal } })),
    });
    await screen.findAllByTestId('board-card');
    await moveFromMenu(u, 11, 'lost');
    const gate = await screen.findByTestId('gate-dialog');
    await waitFor(() => expect(within(gate).getAllByRole('option')).toHaveLength(3));
    await u.selectOptions(within(gate).getByTestId('gate-field-lost_reason'), 'competitor');
    await u.click(within(gate).getByTestId('gate-retry'));

    const dialog = await screen.findByTestId('approval-request-dialog');
    expect(screen.queryByTestId('gate-dialog')).toBeNull();
    // The reason goes with the move, not ahead of it: the lead stays open while the approval waits.
    expect(be.updateLead).not.toHaveBeenCalled();
    expect(be.moveLead).toHaveBeenLastCalledWith(11, 4, 'lost', null, 'competitor');
    expect(cardIds('engagement')).toEqual([11]);
    // The reason typed in the gate dialog is the one asked with.
    expect(within(dialog).getByTestId('approval-lost-reason')).toHaveValue('competitor');
    await u.click(within(dialog).getByTestId('approval-request-submit'));
    await waitFor(() => expect(be.requestMove).toHaveBeenCalledWith(11, 4, 'lost', 'competitor', ''));
    expect(lastToast()).toBe('Approval requested');
  });
});

describe('a move handed from the gate dialog to an approval, on the board', () => {
  it('puts the card back showing what the dialog saved (its deal value), not its old values', async () => {
    const stored = lead({ id: 12, version: 2, first_name: 'Bob', last_name: 'Stone' });
    let moves = 0;
    const { u } = setupBoard({
      moveLead: async () => {
        if (++moves === 1) {
          throw apiErr({
            code: 'stage_gate',
            message: 'To enter In discussion, this lead needs: Deal value, Currency',
            fields: [
              { field: 'deal_value', message: 'is required' },
              { field: 'currency', message: 'is required' },
            ],
          });
        }
        throw approvalRefusal();
      },
      getLead: async () => stored,
      updateLead: async (id, version, input) =>
        savedLead(lead({ ...stored, version: version + 1, deal: { ...stored.deal, ...input.deal } })),
    });
    await screen.findAllByTestId('board-card');
    await moveFromMenu(u, 12, 'engagement');
    const gate = await screen.findByTestId('gate-dialog');
    await u.type(within(gate).getByTestId('gate-field-deal_value'), '60000');
    await u.type(within(gate).getByTestId('gate-field-currency'), 'EUR');
    await u.click(within(gate).getByTestId('gate-retry'));
    await screen.findByTestId('approval-request-dialog');
    expect(cardIds('new')).toEqual([12]);
    expect(cardEl(12)).toHaveTextContent('60,000');
  });
});

describe('a move held for approval, in the lead form', () => {
  const STAGES = [
    { key: 'engagement', label: 'In discussion', closed: false },
    { key: 'lost', label: 'Lost', closed: true },
  ];

  function setupForm(over: Parameters<typeof mockBackend>[0] = {}) {
    session.current = sessionFor('editor');
    const stored = lead({
      id: 7,
      version: 5,
      stage: 'engagement',
      deal: { ...lead().deal, value: '25000.00', currency: 'EUR' },
    });
    const be = mockBackend({
      stages: async () => STAGES,
      updateLead: async () => {
        throw approvalRefusal();
      },
      ...over,
    });
    const onsaved = vi.fn();
    const oncancel = vi.fn();
    render(LeadForm, { lead: stored, onsaved, oncancel });
    return { be, onsaved, oncancel, u: userEvent.setup() };
  }

  async function saveAsLost(u: ReturnType<typeof userEvent.setup>) {
    await waitFor(() => expect(within(screen.getByTestId('field-stage')).getAllByRole('option')).toHaveLength(2));
    await u.selectOptions(screen.getByTestId('field-stage'), 'lost');
    await waitFor(() => expect(within(screen.getByTestId('field-lost_reason')).getAllByRole('option')).toHaveLength(3));
    await u.selectOptions(screen.getByTestId('field-lost_reason'), 'competitor');
    await u.click(screen.getByTestId('save-lead'));
  }

  it('says why in the alert area and asks from there; with nothing else changed, the form closes', async () => {
    const { be, onsaved, oncancel, u } = setupForm();
    await saveAsLost(u);
    const refusal = await screen.findByTestId('approval-refusal');
    expect(refusal).toHaveTextContent(MESSAGE);
    expect(refusal).toHaveTextContent('Nothing was saved; your entries are kept.');
    expect(onsaved).not.toHaveBeenCalled();
    expect(screen.queryByTestId('approval-request-dialog')).toBeNull();

    await u.click(within(refusal).getByTestId('approval-request-open'));
    const dialog = await screen.findByTestId('approval-request-dialog');
    expect(within(dialog).getByTestId('approval-request-message')).toHaveTextContent(MESSAGE);
    expect(within(dialog).getByTestId('approval-lost-reason')).toHaveValue('competitor');
    await u.type(within(dialog).getByTestId('approval-note'), 'Lost to Globex');
    await u.click(within(dialog).getByTestId('approval-request-submit'));

    await waitFor(() => expect(oncancel).toHaveBeenCalledTimes(1));
    expect(be.requestMove).toHaveBeenCalledWith(7, 5, 'lost', 'competitor', 'Lost to Globex');
    expect(lastToast()).toBe('Approval requested');
    expect(be.updateLead).toHaveBeenCalledTimes(1);
    expect(onsaved).not.toHaveBeenCalled();
  });

  it('keeps the form open for the other changes, the stage back as it was', async () => {
    const { be, oncancel, u } = setupForm();
    await u.type(screen.getByTestId('field-job_title'), ' (retired)');
    await saveAsLost(u);
    await u.click(await screen.findByTestId('approval-request-open'));
    await u.click(await screen.findByTestId('approval-request-submit'));

    expect(await screen.findByTestId('approval-asked')).toHaveTextContent(
      'The move to Lost waits for an Administrator. Your other changes are not saved yet: save to keep them.',
    );
    expect(oncancel).not.toHaveBeenCalled();
    expect(screen.queryByTestId('approval-refusal')).toBeNull();
    expect(screen.getByTestId('field-stage')).toHaveValue('engagement');
    expect(screen.getByTestId('field-lost_reason')).toHaveValue('');
    expect(screen.getByTestId('field-job_title')).toHaveValue('Rear Admiral (retired)');

    // The next save sends the other changes without the move.
    be.updateLead.mockImplementation(async (id, version, input) => savedLead(lead({ id, version: version + 1 })));
    await u.click(screen.getByTestId('save-lead'));
    await waitFor(() => expect(be.updateLead).toHaveBeenCalledTimes(2));
    const input = be.updateLead.mock.calls[1][2];
    expect(input.stage).toBe('engagement');
    expect(input.job_title).toBe('Rear Admiral (retired)');
  });

  it('shows nothing of the kind for a save refused otherwise', async () => {
    const { u } = setupForm({
      updateLead: async () => {
        throw apiErr({ code: 'permission_denied', message: 'you may not edit this lead' });
      },
    });
    await saveAsLost(u);
    expect(await screen.findByTestId('form-error')).toHaveTextContent('You may not edit this lead');
    expect(screen.queryByTestId('approval-refusal')).toBeNull();
  });
});

describe('a move held for approval, on the lead page', () => {
  const STAGES = [
    { key: 'engagement', label: 'In discussion', closed: false },
    { key: 'lost', label: 'Lost', closed: true },
  ];

  function setupPage(requests: ReturnType<typeof approvalRequest>[], role: Role = 'editor') {
    session.current = sessionFor(role);
    const be = mockBackend({ stages: async () => STAGES, leadApprovalRequests: async () => requests });
    render(LeadPage, { id: 7, canWrite: true, onedit: vi.fn(), onback: vi.fn() });
    return { be, u: userEvent.setup() };
  }

  it('says which move waits, who asked and when', async () => {
    const { be } = setupPage([
      approvalRequest({ id: 3, requested_by: 'Eve', requested_at: hoursAgo(2), note: 'They chose Globex' }),
      approvalRequest({ id: 1, status: 'rejected', decided_at: hoursAgo(30), decided_by: 'Ada Admin' }),
    ]);
    const banner = await screen.findByTestId('approval-pending');
    expect(banner).toHaveTextContent('Move to Lost awaits approval (asked by Eve, 2 hours ago).');
    expect(banner).toHaveTextContent('“They chose Globex”');
    expect(be.leadApprovalRequests).toHaveBeenCalledWith(7);
    // A rep cannot decide: nowhere to go from here.
    expect(within(banner).queryByTestId('approval-review')).toBeNull();
    // The older decision gives way to the waiting request.
    expect(screen.queryByTestId('approval-decided')).toBeNull();
  });

  it('lets who asked withdraw their request, and then says it was withdrawn', async () => {
    let requests = [approvalRequest({ id: 3, requested_by: 'Eve', requested_by_id: 2, requested_at: hoursAgo(2) })];
    session.current = sessionFor('editor', { id: 2 });
    const be = mockBackend({
      stages: async () => STAGES,
      leadApprovalRequests: async () => requests,
      withdrawApproval: vi.fn(async (id: number) => {
        requests = [approvalRequest({ id, status: 'rejected', withdrawn: true, decided_by: 'Eve', decided_at: hoursAgo(0) })];
        return requests[0];
      }),
    });
    render(LeadPage, { id: 7, canWrite: true, onedit: vi.fn(), onback: vi.fn() });
    const u = userEvent.setup();
    await u.click(within(await screen.findByTestId('approval-pending')).getByTestId('approval-withdraw'));
    expect(be.withdrawApproval).toHaveBeenCalledWith(3);
    const decided = await screen.findByTestId('approval-decided');
    expect(decided).toHaveTextContent('Move to Lost request withdrawn by Eve');
    expect(decided).not.toHaveTextContent('rejected');
    expect(screen.queryByTestId('approval-pending')).toBeNull();
  });

  it('offers no withdrawal of a request someone else made', async () => {
    setupPage([approvalRequest({ requested_by_id: 5, requested_at: hoursAgo(2) })]);
    expect(within(await screen.findByTestId('approval-pending')).queryByTestId('approval-withdraw')).toBeNull();
  });

  it('takes an Administrator to the queue', async () => {
    const { u } = setupPage([approvalRequest({ requested_at: hoursAgo(2) })], 'administrator');
    await u.click(await screen.findByTestId('approval-review'));
    expect(nav.view).toEqual({ name: 'approvals' });
  });

  it('tells how the last request was decided, with the comment', async () => {
    setupPage([
      approvalRequest({ id: 1, status: 'approved', decided_at: hoursAgo(50), decided_by: 'Ada Admin' }),
      approvalRequest({
        id: 2,
        status: 'rejected',
        decided_at: hoursAgo(3),
        decided_by: 'Ada Admin',
        comment: 'Keep trying until Friday',
      }),
    ]);
    const decided = await screen.findByTestId('approval-decided');
    expect(decided).toHaveAttribute('data-status', 'rejected');
    expect(decided).toHaveTextContent('Move to Lost rejected by Ada Admin 3 hours ago: “Keep trying until Friday”');
    expect(screen.queryByTestId('approval-pending')).toBeNull();
  });

  it('shows nothing when no move was ever held', async () => {
    const { be } = setupPage([]);
    await screen.findByTestId('lead-title');
    await waitFor(() => expect(be.leadApprovalRequests).toHaveBeenCalled());
    expect(screen.queryByTestId('approval-pending')).toBeNull();
    expect(screen.queryByTestId('approval-decided')).toBeNull();
  });
});
