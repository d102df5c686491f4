import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import App from '../../App.svelte';
import {
  apiErr,
  boardCard,
  boardColumn,
  deferred,
  lead,
  mockBackend,
  savedLead,
  sessionFor,
} from '../../test/fixtures';
import { nav } from '../nav.svelte';
import { session } from '../session.svelte';
import { toasts } from '../toast.svelte';
import type { Board, BoardQuery, Role, SavedLead } from '../types';
import { CARD_HEIGHT } from './BoardColumn.svelte';
import BoardPage from './BoardPage.svelte';
import { importRuns } from '../imports/runs.svelte';
import { approvals } from './approvals.svelte';
import { undoMerge } from '../duplicates/merge';
import { duplicateScan } from '../duplicates/scan.svelte';
import { importBatch } from '../../test/importFixtures';

const DAY = 24 * 3600 * 1000;
const daysAgo = (d: number) => new Date(Date.now() - d * DAY - 3600 * 1000).toISOString();

/** The open stages of the default pipeline, with a fresh, an amber and a red card. */
function sampleBoard(): Board {
  return {
    pipeline: 'sales',
    columns: [
      boardColumn(
        'new',
        [
          boardCard(12, { name: 'Bob Stone', entered_at: daysAgo(20) }),
          boardCard(11, {
            name: 'Ann Lee',
            company: 'Acme',
            value: '12500.00',
            currency: 'EUR',
            owner_name: 'Ada Admin',
            entered_at: daysAgo(3),
          }),
        ],
        [{ currency: 'EUR', total: 12500 }],
      ),
      boardColumn(
        'qualification',
        [
          boardCard(13, {
            name: 'Cy Young',
            value: '3000.00',
            currency: 'USD',
            entered_at: daysAgo(40),
            last_activity_at: daysAgo(35),
          }),
          boardCard(14, {
            name: 'Dee Park',
            value: '500.50',
            currency: 'EUR',
            entered_at: daysAgo(38),
            last_activity_at: daysAgo(2),
          }),
        ],
        [
          { currency: 'USD', total: 3000 },
          { currency: 'EUR', total: 500.5 },
        ],
      ),
      boardColumn('engagement', []),
      boardColumn('nurture', [boardCard(15, { name: 'Eve Moss' })]),
    ],
  };
}

/** Refused by the gate of In discussion: a deal value and a proposal are missing. */
const gateRefusal = () =>
  apiErr({
    code: 'stage_gate',
    message: 'To enter In discussion, this lead needs: Deal value, a “Proposal sent” activity',
    fields: [
      { field: 'deal_value', message: 'is required' },
      { field: 'activity.proposal', message: 'a “Proposal sent” activity is required' },
    ],
  });

/** A move refused by the gate, then refused again once the deal value is there: the proposal still misses. */
function refusedTwice() {
  let calls = 0;
  return async (): Promise<SavedLead> => {
    calls++;
    if (calls === 1) throw gateRefusal();
    throw apiErr({
      code: 'stage_gate',
      message: 'To enter In discussion, this lead needs: a “Proposal sent” activity',
      fields: [{ field: 'activity.proposal', message: 'is required' }],
    });
  };
}

function setup(role: Role = 'editor', over: Parameters<typeof mockBackend>[0] = {}) {
  session.current = sessionFor(role);
  const be = mockBackend({
    pipelineBoard: async () => sampleBoard(),
    userDirectory: async () => [
      { id: 1, name: 'Ada Admin' },
      { id: 2, name: 'Bo Rep' },
    ],
    leadFacets: async () => ({ campaigns: ['Spring', 'Fair'], tags: [] }),
    ...over,
  });
  render(BoardPage);
  return { be, u: userEvent.setup() };
}

const columnOf = (key: string) =>
  screen.getAllByTestId('board-column').find((c) => c.dataset.stage === key) as HTMLElement;
const cardIds = (key: string) =>
  within(columnOf(key))
    .queryAllByTestId('board-card')
    .map((c) => Number(c.dataset.leadId));
const lastToast = () => toasts.items.at(-1)?.message ?? '';
const cardEl = (id: number) => document.querySelector<HTMLElement>(`[data-testid="board-card"][data-lead-id="${id}"]`)!;

async function openMenu(u: ReturnType<typeof userEvent.setup>, id: number) {
  await u.click(within(cardEl(id)).getByTestId('card-move'));
  return screen.getByRole('menu');
}

describe('Pipeline board', () => {
  it('draws a column per stage with its count, sums per currency and probability', async () => {
    setup();
    await screen.findAllByTestId('board-card');
    expect(screen.getAllByTestId('board-column').map((c) => c.dataset.stage)).toEqual([
      'new',
      'qualification',
      'engagement',
      'nurture',
    ]);
    const qual = columnOf('qualification');
    expect(within(qual).getByRole('heading', { level: 2 })).toHaveTextContent('Qualification');
    expect(within(qual).getByTestId('column-count')).toHaveTextContent('2');
    expect(within(qual).getByTestId('column-count')).toHaveAttribute('aria-label', '2 leads');
    const labels = screen.getAllByTestId('column-count').map((c) => c.getAttribute('aria-label'));
    expect(labels).toContain('1 lead');
    expect(labels).not.toContain('1 leads');
    expect(within(qual).getByTestId('column-total')).toHaveTextContent('$3,000 · €500.50');
    expect(within(qual).getByTestId('column-probability')).toHaveTextContent('10%');
    expect(within(columnOf('new')).getByTestId('column-total')).toHaveTextContent('€12,500');
    expect(within(columnOf('engagement')).getByTestId('column-count')).toHaveTextContent('0');
    expect(within(columnOf('engagement')).getByText('No leads here')).toBeInTheDocument();
    expect(screen.getByTestId('board-count')).toHaveTextContent('5 leads');
    // Closed deals are not asked for by default.
    expect(screen.queryByText('Won')).toBeNull();
  });

  it('shows on each card its name, company, value, owner and days in the stage, coloured as it ages', async () => {
    setup();
    await screen.findAllByTestId('board-card');
    expect(cardIds('new')).toEqual([12, 11]);
    const ann = cardEl(11);
    expect(within(ann).getByTestId('card-name')).toHaveTextContent('Ann Lee');
    expect(ann).toHaveTextContent('Acme');
    expect(within(ann).getByTestId('card-value')).toHaveTextContent('€12,500');
    expect(ann).toHaveTextContent('Ada Admin');
    const age = (id: number) => within(cardEl(id)).getByTestId('card-age');
    expect(age(11)).toHaveTextContent('3d');
    expect(age(11)).toHaveAttribute('data-level', 'fresh');
    // 20 days with no activity in New, whose stagnation policy allows 10 business days (14 days): red.
    expect(age(12)).toHaveTextContent('20d');
    expect(age(12)).toHaveAttribute('data-level', 'red');
    // 40 days in the stage, the last activity 35 days ago: red.
    expect(age(13)).toHaveTextContent('40d');
    expect(age(13)).toHaveAttribute('data-level', 'red');
    // 38 days in the stage, but an activity 2 days ago: fresh.
    expect(age(14)).toHaveTextContent('38d');
    expect(age(14)).toHaveAttribute('data-level', 'fresh');
  });

  it('reads the board again when an import or its undo ends', async () => {
    const { be } = setup('editor', { importResume: async () => importBatch({ id: 3 }) });
    await screen.findAllByTestId('board-card');
    const reads = be.pipelineBoard.mock.calls.length;
    await importRuns.resume(3, 'messe.csv');
    await waitFor(() => expect(be.pipelineBoard.mock.calls.length).toBe(reads + 1));
  });

  it('reads the board again when a merge is undone from its toast, or a scan merged leads', async () => {
    const { be } = setup('editor', {
      unmerge: async () => ({ survivor: lead({ id: 1 }), restored: [lead({ id: 2 })] }),
      scanDuplicates: async () => ({
        leads: 2,
        open: 0,
        kept_apart: 0,
        enriched: 1,
        enrichment_stopped: false,
        enrichment_error: null,
        seconds: 1,
      }),
    });
    await screen.findAllByTestId('board-card');
    const reads = be.pipelineBoard.mock.calls.length;
    await undoMerge(100);
    await waitFor(() => expect(be.pipelineBoard.mock.calls.length).toBe(reads + 1));
    await duplicateScan.start();
    await waitFor(() => expect(be.pipelineBoard.mock.calls.length).toBe(reads + 2));
  });

  it('reads the board again when a move waiting for approval is decided elsewhere', async () => {
    const board = sampleBoard();
    board.columns[0].cards[0] = { ...board.columns[0].cards[0], awaiting_approval: true };
    const { be } = setup('administrator', { pipelineBoard: async () => board });
    await screen.findAllByTestId('board-card');
    const reads = be.pipelineBoard.mock.calls.length;
    approvals.queueRead([]);
    await waitFor(() => expect(be.pipelineBoard.mock.calls.length).toBe(reads + 1));
  });

  it('drops a card\'s "Awaiting approval" once it is moved elsewhere, which closes the request', async () => {
    const board = sampleBoard();
    board.columns[0].cards[1] = { ...board.columns[0].cards[1], awaiting_approval: true };
    const { u } = setup('editor', { pipelineBoard: async () => board });
    await screen.findAllByTestId('board-card');
    expect(within(cardEl(11)).getByTestId('card-awaiting-approval')).toBeInTheDocument();
    within(cardEl(11)).getByTestId('card-move').focus();
    await u.keyboard('{Enter}');
    await u.click(within(screen.getByRole('menu')).getByTestId('move-to-nurture'));
    await waitFor(() => expect(cardIds('nurture')).toContain(11));
    await waitFor(() => expect(lastToast()).toBe('Moved to Nurture'));
    expect(within(cardEl(11)).queryByTestId('card-awaiting-approval')).toBeNull();
  });

  it('opens the lead when a card is clicked', async () => {
    const { u } = setup();
    await screen.findAllByTestId('board-card');
    await u.click(within(cardEl(13)).getByTestId('card-name'));
    expect(nav.view).toEqual({ name: 'lead', id: 13 });
  });

  it('gives the focus to the next card of the column when a card moves from the keyboard to a hidden stage', async () => {
    const answer = deferred<SavedLead>();
    const { u } = setup('editor', { moveLead: () => answer.promise });
    await screen.findAllByTestId('board-card');
    // New holds Bob (12) then Ann (11); Won is hidden while closed deals are.
    within(cardEl(12)).getByTestId('card-move').focus();
    await u.keyboard('{Enter}');
    await u.click(within(screen.getByRole('menu')).getByTestId('move-to-won'));
    expect(cardIds('new')).toEqual([11]);
    await waitFor(() => expect(cardEl(11).querySelector('.card-open')).toHaveFocus());
  });

  it('moves a card from the keyboard with its Move to… menu, at once, then confirms', async () => {
    const answer = deferred<SavedLead>();
    const { be, u } = setup('editor', { moveLead: () => answer.promise });
    await screen.findAllByTestId('board-card');
    within(cardEl(11)).getByTestId('card-move').focus();
    await u.keyboard('{Enter}');
    const menu = screen.getByRole('menu');
    // The other stages of the pipeline, hidden Won and Lost included; not the card's own.
    expect(within(menu).getAllByRole('menuitem').map((b) => b.dataset.testid)).toEqual([
      'move-to-qualification',
      'move-to-engagement',
      'move-to-won',
      'move-to-lost',
      'move-to-nurture',
    ]);
    expect(within(menu).getByTestId('move-to-qualification')).toHaveFocus();
    await u.keyboard('{ArrowDown}{Enter}');
    expect(be.moveLead).toHaveBeenCalledWith(11, 2, 'engagement', null);
    // Optimistic: the card and its value are in the new column before the backend answers.
    expect(cardIds('new')).toEqual([12]);
    expect(cardIds('engagement')).toEqual([11]);
    expect(within(columnOf('engagement')).getByTestId('column-total')).toHaveTextContent('€12,500');
    expect(within(columnOf('new')).getByTestId('column-total')).toHaveTextContent('No value yet');
    // The focus went with the card, not back to the top of the page.
    await waitFor(() => expect(cardEl(11).querySelector('.card-open')).toHaveFocus());

    answer.resolve(
      savedLead(
        lead({
          id: 11,
          version: 3,
          first_name: 'Ann',
          last_name: 'Lee',
          company: 'Acme',
          stage: 'engagement',
          owner: { id: 1, name: 'Ada Admin' },
          deal: { ...lead().deal, value: '12500.00', currency: 'EUR' },
        }),
      ),
    );
    await waitFor(() => expect(lastToast()).toContain('Moved to In discussion'));
    expect(cardIds('engagement')).toEqual([11]);
    expect(within(cardEl(11)).getByTestId('card-age')).toHaveTextContent('0d');
    // The card now carries the lead's new version: a second move sends it.
    await openMenu(u, 11);
    await u.click(screen.getByTestId('move-to-nurture'));
    expect(be.moveLead).toHaveBeenLastCalledWith(11, 3, 'nurture', null);
  });

  it('puts the card back when the move is refused', async () => {
    const { u } = setup('editor', {
      moveLead: async () => {
        throw apiErr({ code: 'permission_denied', message: 'you may not move this lead' });
      },
    });
    await screen.findAllByTestId('board-card');
    await openMenu(u, 13);
    await u.click(screen.getByTestId('move-to-nurture'));
    await waitFor(() => expect(lastToast()).toContain('Could not move Cy Young: You may not move this lead'));
    expect(cardIds('qualification')).toEqual([13, 14]);
    expect(cardIds('nurture')).toEqual([15]);
  });

  it('reads the board again when the lead changed meanwhile', async () => {
    const { be, u } = setup('editor', {
      moveLead: async () => {
        throw apiErr({ code: 'conflict', message: 'the lead was changed by someone else' });
      },
    });
    await screen.findAllByTestId('board-card');
    expect(be.pipelineBoard).toHaveBeenCalledTimes(1);
    await openMenu(u, 12);
    await u.click(screen.getByTestId('move-to-nurture'));
    await waitFor(() => expect(be.pipelineBoard).toHaveBeenCalledTimes(2));
    expect(lastToast()).toContain('Bob Stone was changed meanwhile');
    expect(cardIds('new')).toEqual([12, 11]);
  });

  it('opens the gate dialog on a stage-gate refusal, listing the missing field and activity', async () => {
    const { be, u } = setup('editor', {
      moveLead: async () => {
        throw gateRefusal();
      },
    });
    await screen.findAllByTestId('board-card');
    await openMenu(u, 11);
    await u.click(screen.getByTestId('move-to-engagement'));
    const dialog = await screen.findByTestId('gate-dialog');
    expect(within(dialog).getByRole('heading')).toHaveTextContent('Ann Lee can’t enter In discussion yet');
    expect(within(dialog).getByTestId('gate-message')).toHaveTextContent(
      'To enter In discussion, this lead needs: Deal value, a “Proposal sent” activity',
    );
    expect(within(dialog).getByLabelText(/Deal value/)).toBe(within(dialog).getByTestId('gate-field-deal_value'));
    expect(within(dialog).getByTestId('gate-activity-proposal')).toHaveTextContent('Log “Proposal sent”');
    expect(within(dialog).getByTestId('gate-log-proposal')).toBeInTheDocument();
    // Only Administrators may override.
    expect(within(dialog).queryByTestId('gate-override')).toBeNull();
    expect(within(dialog).queryByTestId('gate-override-reason')).toBeNull();
    // The card waits in its new column while the dialog is open; Cancel puts it back.
    expect(cardIds('engagement')).toEqual([11]);
    await u.click(within(dialog).getByTestId('gate-cancel'));
    expect(screen.queryByTestId('gate-dialog')).toBeNull();
    expect(cardIds('new')).toEqual([12, 11]);
    expect(cardIds('engagement')).toEqual([]);
    expect(be.updateLead).not.toHaveBeenCalled();
  });

  it('logs the missing activity, saves the field and moves the lead with Save and move', async () => {
    const moves: (string | null)[] = [];
    // At the version its card shows: it was not changed while the dialog was open.
    const stored = lead({ id: 11, version: 2, first_name: 'Ann', last_name: 'Lee', company: 'Acme', notes: 'Keep me' });
    const { be, u } = setup('editor', {
      moveLead: async (id, version, to, reason) => {
        moves.push(reason);
        if (moves.length === 1) throw gateRefusal();
        const deal = { ...stored.deal, value: '2000.00', currency: 'EUR' };
        return savedLead(lead({ ...stored, version: version + 1, stage: to, deal }));
      },
      getLead: async () => stored,
      updateLead: async (id, version, input) =>
        savedLead(lead({ ...stored, version: version + 1, deal: { ...stored.deal, ...input.deal } })),
    });
    await screen.findAllByTestId('board-card');
    await openMenu(u, 11);
    await u.click(screen.getByTestId('move-to-engagement'));
    const dialog = await screen.findByTestId('gate-dialog');

    const subject = within(dialog).getByTestId('gate-subject-proposal');
    expect(subject).toHaveValue('Proposal sent');
    await u.clear(subject);
    await u.type(subject, 'Quote v2 sent');
    await u.click(within(dialog).getByTestId('gate-log-proposal'));
    await waitFor(() => expect(within(dialog).getByTestId('gate-logged-proposal')).toHaveTextContent('Logged'));
    expect(be.logActivity).toHaveBeenCalledWith(
      11,
      expect.objectContaining({ kind: 'proposal', subject: 'Quote v2 sent' }),
    );
    expect(be.logActivity.mock.calls[0][1].done_at).not.toBeNull();

    await u.type(within(dialog).getByTestId('gate-field-deal_value'), '2000.00');
    await u.click(within(dialog).getByTestId('gate-retry'));

    await waitFor(() => expect(screen.queryByTestId('gate-dialog')).toBeNull());
    // The deal value is saved onto the lead as it is now, everything else kept.
    expect(be.updateLead).toHaveBeenCalledTimes(1);
    const [id, version, input] = be.updateLead.mock.calls[0];
    expect([id, version]).toEqual([11, 2]);
    expect(input.deal.value).toBe('2000.00');
    expect(input.notes).toBe('Keep me');
    expect(input.first_name).toBe('Ann');
    // Then the move again, with the version that save made.
    expect(be.moveLead).toHaveBeenLastCalledWith(11, 3, 'engagement', null, null);
    expect(lastToast()).toContain('Moved to In discussion');
    expect(cardIds('engagement')).toEqual([11]);
    expect(within(columnOf('engagement')).getByTestId('column-total')).toHaveTextContent('€2,000');
    expect(within(cardEl(11)).getByTestId('card-value')).toHaveTextContent('€2,000');
    expect(within(cardEl(11)).getByTestId('card-age')).toHaveAttribute(
      'title',
      '0 days in In discussion; last activity today',
    );
  });

  it('shows what is still missing when the retry is refused again', async () => {
    const { be, u } = setup('editor', {
      getLead: async (id) => lead({ id, version: 2 }),
      moveLead: refusedTwice(),
    });
    await screen.findAllByTestId('board-card');
    await openMenu(u, 11);
    await u.click(screen.getByTestId('move-to-engagement'));
    const dialog = await screen.findByTestId('gate-dialog');
    await u.type(within(dialog).getByTestId('gate-field-deal_value'), '10');
    await u.click(within(dialog).getByTestId('gate-retry'));
    await waitFor(() => expect(within(dialog).queryByTestId('gate-field-deal_value')).toBeNull());
    expect(be.moveLead).toHaveBeenCalledTimes(2);
    expect(within(dialog).getByTestId('gate-message')).toHaveTextContent(
      'this lead needs: a “Proposal sent” activity',
    );
    expect(within(dialog).getByTestId('gate-log-proposal')).toBeInTheDocument();
    expect(cardIds('engagement')).toEqual([11]);
  });

  it('keeps on the card what the gate dialog saved when the move is then given up, so the next move is not a conflict', async () => {
    const stored = lead({ id: 11, version: 2, first_name: 'Ann', last_name: 'Lee', company: 'Acme' });
    const { be, u } = setup('editor', {
      getLead: async () => stored,
      updateLead: async (id, version, input) =>
        savedLead(lead({ ...stored, version: version + 1, deal: { ...stored.deal, ...input.deal, currency: 'EUR' } })),
      moveLead: refusedTwice(),
    });
    await screen.findAllByTestId('board-card');
    await openMenu(u, 11);
    await u.click(screen.getByTestId('move-to-engagement'));
    const dialog = await screen.findByTestId('gate-dialog');
    await u.type(within(dialog).getByTestId('gate-field-deal_value'), '2000.00');
    await u.click(within(dialog).getByTestId('gate-retry'));
    await waitFor(() => expect(within(dialog).queryByTestId('gate-field-deal_value')).toBeNull());
    await u.click(within(dialog).getByTestId('gate-cancel'));
    // Back where it was, with the value saved and the version that save made.
    expect(cardIds('new')).toContain(11);
    expect(within(cardEl(11)).getByTestId('card-value')).toHaveTextContent('€2,000');
    await openMenu(u, 11);
    await u.click(screen.getByTestId('move-to-engagement'));
    await waitFor(() => expect(be.moveLead).toHaveBeenCalledTimes(3));
    expect(be.moveLead.mock.lastCall?.[1]).toBe(3);
  });

  it('moves a card once at a time: a second move while the first is on its way is not sent', async () => {
    const first = deferred<SavedLead>();
    const { be, u } = setup('editor', { moveLead: () => first.promise });
    await screen.findAllByTestId('board-card');
    await openMenu(u, 11);
    await u.click(screen.getByTestId('move-to-engagement'));
    await openMenu(u, 11);
    await u.click(screen.getByTestId('move-to-qualification'));
    expect(be.moveLead).toHaveBeenCalledOnce();
    expect(lastToast()).toContain('still being moved');
    first.resolve(savedLead(lead({ id: 11, version: 3, first_name: 'Ann', last_name: 'Lee', stage: 'engagement' })));
    await waitFor(() => expect(cardIds('engagement')).toEqual([11]));
  });

  it('keeps a move that ends after a read of the board began: the read taken before it does not undo it', async () => {
    const slow = deferred<Board>();
    let reads = 0;
    let annMoved = false;
    // The backend's board: Ann in Engagement once her move is saved.
    const stored = (): Board => {
      const b = sampleBoard();
      if (!annMoved) return b;
      const ann = b.columns.flatMap((c) => c.cards).find((c) => c.id === 11)!;
      for (const c of b.columns) c.cards = c.cards.filter((x) => x.id !== 11);
      b.columns.find((c) => c.stage.key === 'engagement')!.cards.push({ ...ann, version: 3 });
      return b;
    };
    const { be, u } = setup('editor', {
      pipelineBoard: async () => (++reads === 2 ? slow.promise : stored()),
      moveLead: async () => {
        annMoved = true;
        return savedLead(lead({ id: 11, version: 3, first_name: 'Ann', last_name: 'Lee', stage: 'engagement' }));
      },
    });
    await screen.findAllByTestId('board-card');
    await u.click(screen.getByTestId('board-refresh'));
    await openMenu(u, 11);
    await u.click(screen.getByTestId('move-to-engagement'));
    await waitFor(() => expect(be.pipelineBoard).toHaveBeenCalledTimes(3));
    // The read taken before the move lands last, with Ann where she was: it is not shown.
    slow.resolve(sampleBoard());
    await new Promise((r) => setTimeout(r, 50));
    expect(cardIds('engagement')).toEqual([11]);
    expect(cardIds('new')).not.toContain(11);
  });

  it('keeps a move when a read of the board begun during it lands after it: the board is read again', async () => {
    const answer = deferred<SavedLead>();
    const during = deferred<Board>();
    let reads = 0;
    let annMoved = false;
    // The backend's board: Ann in Engagement once her move is saved.
    const stored = (): Board => {
      const b = sampleBoard();
      if (!annMoved) return b;
      const ann = b.columns.flatMap((c) => c.cards).find((c) => c.id === 11)!;
      for (const c of b.columns) c.cards = c.cards.filter((x) => x.id !== 11);
      b.columns.find((c) => c.stage.key === 'engagement')!.cards.push({ ...ann, version: 3 });
      return b;
    };
    const { be, u } = setup('editor', {
      pipelineBoard: async () => (++reads === 2 ? during.promise : stored()),
      moveLead: () => answer.promise,
    });
    await screen.findAllByTestId('board-card');
    await openMenu(u, 11);
    await u.click(screen.getByTestId('move-to-engagement'));
    // Refresh (as a filter change or an import's end would) while the move is on its way.
    await u.click(screen.getByTestId('board-refresh'));
    await waitFor(() => expect(be.pipelineBoard).toHaveBeenCalledTimes(2));
    annMoved = true;
    answer.resolve(savedLead(lead({ id: 11, version: 3, first_name: 'Ann', last_name: 'Lee', stage: 'engagement' })));
    // The read was taken before the move was saved: Ann where she was.
    during.resolve(sampleBoard());
    await waitFor(() => expect(be.pipelineBoard).toHaveBeenCalledTimes(3));
    await new Promise((r) => setTimeout(r, 50));
    expect(cardIds('engagement')).toEqual([11]);
    expect(cardIds('new')).not.toContain(11);
  });

  it('does not show a read that lands while a move is on its way, and reads again once it is done', async () => {
    const answer = deferred<SavedLead>();
    let annMoved = false;
    const stored = (): Board => {
      const b = sampleBoard();
      if (!annMoved) return b;
      const ann = b.columns.flatMap((c) => c.cards).find((c) => c.id === 11)!;
      for (const c of b.columns) c.cards = c.cards.filter((x) => x.id !== 11);
      b.columns.find((c) => c.stage.key === 'engagement')!.cards.push({ ...ann, version: 3 });
      return b;
    };
    const { be, u } = setup('editor', { pipelineBoard: async () => stored(), moveLead: () => answer.promise });
    await screen.findAllByTestId('board-card');
    await openMenu(u, 11);
    await u.click(screen.getByTestId('move-to-engagement'));
    await u.click(screen.getByTestId('board-refresh'));
    await waitFor(() => expect(be.pipelineBoard).toHaveBeenCalledTimes(2));
    await new Promise((r) => setTimeout(r, 20));
    expect(cardIds('engagement')).toEqual([11]);
    annMoved = true;
    answer.resolve(savedLead(lead({ id: 11, version: 3, first_name: 'Ann', last_name: 'Lee', stage: 'engagement' })));
    await waitFor(() => expect(be.pipelineBoard).toHaveBeenCalledTimes(3));
    expect(cardIds('engagement')).toEqual([11]);
  });

  it('gives the focus back to a card whose move from the keyboard was refused', async () => {
    const { u } = setup('editor', {
      moveLead: async () => {
        throw apiErr({ code: 'permission_denied', message: 'not yours to move' });
      },
    });
    await screen.findAllByTestId('board-card');
    await openMenu(u, 11);
    await u.click(screen.getByTestId('move-to-engagement'));
    await waitFor(() => expect(lastToast()).toContain('Not yours to move'));
    await waitFor(() => expect(cardEl(11).querySelector('.card-open')).toHaveFocus());
  });

  /**
   * Card 11 moved from its menu into a column of 200 older cards, where it lands last, far below what is drawn.
   * jsdom lays nothing out and scrolls nothing: here a scroll box holds all it is given, and moves to where it is
   * told and says so, as a browser's does (`meanwhile` runs as it scrolls).
   */
  async function moveIntoLongColumn(meanwhile: () => void = () => {}) {
    const scrollTo = vi.fn(function (this: HTMLElement, to: ScrollToOptions) {
      this.scrollTop = to.top ?? this.scrollTop;
      meanwhile();
      this.dispatchEvent(new Event('scroll'));
    });
    Object.defineProperty(HTMLElement.prototype, 'scrollTo', { value: scrollTo, configurable: true });
    Object.defineProperty(HTMLElement.prototype, 'scrollHeight', {
      get(this: HTMLElement) {
        return parseFloat((this.firstElementChild as HTMLElement | null)?.style.height ?? '') || 0;
      },
      configurable: true,
    });
    const long = Array.from({ length: 200 }, (_, i) => boardCard(1000 + i, { entered_at: daysAgo(400 - i) }));
    const board = sampleBoard();
    board.columns[2] = boardColumn('engagement', long);
    const { u } = setup('editor', {
      pipelineBoard: async () => board,
      moveLead: async (id, version, to) =>
        savedLead(lead({ id, version: version + 1, stage: to, first_name: 'Ann', last_name: 'Lee' })),
    });
    await screen.findAllByTestId('board-card');
    await openMenu(u, 11);
    await u.click(screen.getByTestId('move-to-engagement'));
    return scrollTo;
  }

  function unscroll() {
    delete (HTMLElement.prototype as Partial<HTMLElement>).scrollTo;
    delete (HTMLElement.prototype as { scrollHeight?: number }).scrollHeight;
  }

  it('scrolls a long column to a card moved into it from the keyboard, and gives it the focus', async () => {
    try {
      const scrollTo = await moveIntoLongColumn();
      await waitFor(() => expect(cardEl(11)?.querySelector('.card-open')).toHaveFocus());
      expect(scrollTo).toHaveBeenCalled();
      expect(cardIds('engagement')).toContain(11);
      expect(cardIds('engagement')).not.toContain(1000);
    } finally {
      unscroll();
    }
  });

  it('leaves the focus where the user put it while the moved card was being drawn', async () => {
    try {
      await moveIntoLongColumn(() => screen.getByTestId('board-layout-list').focus());
      await waitFor(() => expect(cardEl(11)).not.toBeNull());
      // Drawn, and given a few frames more to take the focus if it were to.
      await new Promise((done) => setTimeout(done, 300));
      expect(screen.getByTestId('board-layout-list')).toHaveFocus();
    } finally {
      unscroll();
    }
  });

  it('lets an Administrator override the gate with a reason', async () => {
    let calls = 0;
    const { be, u } = setup('administrator', {
      moveLead: async (id, version, to) => {
        if (++calls === 1) throw gateRefusal();
        return savedLead(lead({ id, version: version + 1, stage: to, first_name: 'Ann', last_name: 'Lee' }));
      },
      getLead: async () => lead({ id: 11, version: 2 }),
    });
    await screen.findAllByTestId('board-card');
    await openMenu(u, 11);
    await u.click(screen.getByTestId('move-to-engagement'));
    const dialog = await screen.findByTestId('gate-dialog');
    const override = within(dialog).getByTestId('gate-override');
    expect(override).toBeDisabled();
    await u.click(within(dialog).getByTestId('gate-override-toggle'));
    await u.type(within(dialog).getByTestId('gate-override-reason'), 'Signed on paper');
    expect(override).toBeEnabled();
    await u.click(override);
    await waitFor(() => expect(screen.queryByTestId('gate-dialog')).toBeNull());
    expect(be.moveLead).toHaveBeenLastCalledWith(11, 2, 'engagement', 'Signed on paper', null);
    // Nothing typed, nothing saved.
    expect(be.updateLead).not.toHaveBeenCalled();
    expect(lastToast()).toBe('Moved to In discussion, criteria overridden');
  });

  it('moves a card dragged with the pointer onto another column', async () => {
    const { be } = setup();
    await screen.findAllByTestId('board-card');
    const target = columnOf('nurture');
    // jsdom lays nothing out: the target column is "under" any point right of x = 500.
    const elementsFromPoint = vi
      .spyOn(document, 'elementsFromPoint')
      .mockImplementation((x) => (x >= 500 ? [target] : []));
    const grip = within(cardEl(12)).getByTestId('card-name').closest('button')!;

    await fireEvent.pointerDown(grip, { pointerId: 1, isPrimary: true, button: 0, clientX: 10, clientY: 10 });
    // A small wobble is still a click.
    await fireEvent.pointerMove(window, { pointerId: 1, clientX: 12, clientY: 11 });
    expect(screen.queryByTestId('drag-ghost')).toBeNull();
    await fireEvent.pointerMove(window, { pointerId: 1, clientX: 520, clientY: 40 });
    expect(screen.getByTestId('drag-ghost')).toHaveTextContent('Bob Stone');
    expect(target).toHaveClass('over');
    // Won and Lost are not columns now, but take drops while dragging.
    expect(screen.getByTestId('drop-zone-won')).toBeInTheDocument();
    expect(screen.getByTestId('drop-zone-lost')).toBeInTheDocument();
    await fireEvent.pointerUp(window, { pointerId: 1, clientX: 520, clientY: 40 });

    expect(screen.queryByTestId('drag-ghost')).toBeNull();
    expect(be.moveLead).toHaveBeenCalledWith(12, 2, 'nurture', null);
    expect(cardIds('nurture')).toEqual([15, 12]);
    await waitFor(() => expect(lastToast()).toContain('Moved to Nurture'));
    expect(nav.view.name).toBe('leads');
    elementsFromPoint.mockRestore();
  });

  it('drops nothing when the drag ends on its own column or is cancelled with Escape', async () => {
    const { be } = setup();
    await screen.findAllByTestId('board-card');
    const own = columnOf('new');
    vi.spyOn(document, 'elementsFromPoint').mockImplementation(() => [own]);
    const grip = within(cardEl(12)).getByTestId('card-name').closest('button')!;
    await fireEvent.pointerDown(grip, { pointerId: 1, isPrimary: true, button: 0, clientX: 10, clientY: 10 });
    await fireEvent.pointerMove(window, { pointerId: 1, clientX: 40, clientY: 60 });
    expect(own).not.toHaveClass('over');
    await fireEvent.pointerUp(window, { pointerId: 1, clientX: 40, clientY: 60 });

    await fireEvent.pointerDown(grip, { pointerId: 2, isPrimary: true, button: 0, clientX: 10, clientY: 10 });
    await fireEvent.pointerMove(window, { pointerId: 2, clientX: 400, clientY: 60 });
    expect(screen.getByTestId('drag-ghost')).toBeInTheDocument();
    await fireEvent.keyDown(window, { key: 'Escape' });
    expect(screen.queryByTestId('drag-ghost')).toBeNull();
    await fireEvent.pointerUp(window, { pointerId: 2, clientX: 400, clientY: 60 });
    expect(be.moveLead).not.toHaveBeenCalled();
  });

  it('renders only the cards in view of a column of ten thousand', async () => {
    const many = Array.from({ length: 10_000 }, (_, i) => boardCard(1000 + i, { entered_at: daysAgo(10_000 - i) }));
    setup('editor', { pipelineBoard: async () => ({ pipeline: 'sales', columns: [boardColumn('new', many)] }) });
    await screen.findAllByTestId('board-card');
    expect(within(columnOf('new')).getByTestId('column-count')).toHaveTextContent('10,000');
    const rendered = screen.getAllByTestId('board-card');
    expect(rendered.length).toBeGreaterThan(0);
    expect(rendered.length).toBeLessThanOrEqual(Math.ceil(window.innerHeight / CARD_HEIGHT) + 10);
    // The scroll box is as tall as all of them would be.
    const cards = columnOf('new').querySelector<HTMLElement>('[role="list"]')!;
    expect(cards.style.height).toBe(`${10_000 * CARD_HEIGHT}px`);
  });

  it("offers a deactivated owner in the Owner filter, and shows a kept owner the list cannot name", async () => {
    const { u } = setup('editor', {
      userDirectory: async () => [
        { id: 1, name: 'Ada Admin' },
        { id: 7, name: 'Old Rep' },
      ],
    });
    await screen.findAllByTestId('board-card');
    const select = () => screen.getByTestId('board-filter-owner') as HTMLSelectElement;
    await waitFor(() => expect([...select().options].map((o) => o.textContent)).toEqual(['Anyone', 'Ada Admin', 'Old Rep']));
    await u.selectOptions(select(), '7');
    cleanup();
    // The list fails to load on the next visit: the kept filter is still named, not a blank select.
    mockBackend({ pipelineBoard: async () => sampleBoard(), userDirectory: async () => Promise.reject(new Error('busy')) });
    render(BoardPage);
    await screen.findByTestId('board-filter-owner');
    await waitFor(() => expect(select().selectedOptions[0]?.textContent).toBe('user #7'));
  });

  it('reads the board again for the filters chosen, and says when none match', async () => {
    const queries: BoardQuery[] = [];
    const { u } = setup('editor', {
      pipelineBoard: async (q) => {
        queries.push(q);
        const b = sampleBoard();
        return q.owner_id === null ? b : { ...b, columns: b.columns.map((c) => ({ ...c, cards: [], totals: [] })) };
      },
    });
    await screen.findAllByTestId('board-card');
    expect(queries[0]).toEqual({ pipeline: '', owner_id: null, campaign: null, source: null, include_closed: false });
    const options = (testid: string) => within(screen.getByTestId(testid)).getAllByRole('option');
    await waitFor(() => expect(options('board-filter-owner')).toHaveLength(3));
    await u.selectOptions(screen.getByTestId('board-filter-owner'), '2');
    await waitFor(() => expect(queries.at(-1)?.owner_id).toBe(2));
    expect(await screen.findByTestId('board-no-match')).toHaveTextContent('No leads match these filters');
    await waitFor(() => expect(options('board-filter-campaign')).toHaveLength(3));
    await u.selectOptions(screen.getByTestId('board-filter-campaign'), 'Spring');
    await u.selectOptions(screen.getByTestId('board-filter-source'), 'partner');
    await u.click(screen.getByTestId('board-show-closed'));
    await waitFor(() =>
      expect(queries.at(-1)).toEqual({
        pipeline: '',
        owner_id: 2,
        campaign: 'Spring',
        source: 'partner',
        include_closed: true,
      }),
    );
    await u.click(screen.getByTestId('board-clear-filters'));
    await waitFor(() =>
      expect(queries.at(-1)).toEqual({
        pipeline: '',
        owner_id: null,
        campaign: null,
        source: null,
        include_closed: true,
      }),
    );
    expect(await screen.findAllByTestId('board-card')).toHaveLength(5);
  });

  it('says there is no open deal, not no lead, while won and lost are hidden; and so when there is none at all', async () => {
    const empty = { pipeline: 'sales', columns: [boardColumn('new', []), boardColumn('nurture', [])] };
    const { u } = setup('editor', { pipelineBoard: async () => empty });
    expect(await screen.findByTestId('board-no-open')).toHaveTextContent('No open deals in this pipeline');
    expect(screen.queryByTestId('board-no-match')).toBeNull();
    await u.click(screen.getByTestId('board-show-closed-empty'));
    expect(await screen.findByTestId('board-empty')).toHaveTextContent('No leads in this pipeline yet');
  });

  it('reports a board that cannot be read', async () => {
    setup('editor', {
      pipelineBoard: async () => {
        throw apiErr({ code: 'database_locked', message: 'the database is busy' });
      },
    });
    expect(await screen.findByTestId('board-error')).toHaveTextContent(
      'Could not load the board: The database is busy',
    );
  });

  it('reads the board again with Try again after it could not be read', async () => {
    let fail = true;
    const { u } = setup('editor', {
      pipelineBoard: async () => {
        if (fail) throw apiErr({ code: 'database_locked', message: 'the database is busy' });
        return sampleBoard();
      },
    });
    await screen.findByTestId('board-error');
    fail = false;
    await u.click(screen.getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(screen.queryByTestId('board-error')).toBeNull());
    expect(screen.getAllByTestId('board-card').length).toBeGreaterThan(0);
  });

  it('lists the same cards as a table, moved with a stage picker per row', async () => {
    const { be, u } = setup();
    await screen.findAllByTestId('board-card');
    await u.click(screen.getByTestId('board-layout-list'));
    const rows = screen.getAllByTestId('board-row');
    expect(rows.map((r) => [Number(r.dataset.leadId), r.dataset.stage])).toEqual([
      [12, 'new'],
      [11, 'new'],
      [13, 'qualification'],
      [14, 'qualification'],
      [15, 'nurture'],
    ]);
    expect(rows[1]).toHaveTextContent('Ann Lee');
    expect(rows[1]).toHaveTextContent('€12,500');
    expect(within(rows[2]).getByTestId('card-age')).toHaveAttribute('data-level', 'red');
    await u.selectOptions(within(rows[0]).getByTestId('row-stage'), 'qualification');
    expect(be.moveLead).toHaveBeenCalledWith(12, 2, 'qualification', null);
    await waitFor(() =>
      expect(screen.getAllByTestId('board-row').map((r) => Number(r.dataset.leadId))).toEqual([11, 13, 14, 12, 15]),
    );
    expect(nav.view.name).toBe('leads');
    await u.click(screen.getAllByTestId('board-row')[0]);
    expect(nav.view).toEqual({ name: 'lead', id: 11 });
  });

  it('moves a row once from its stage picker used with the arrow keys: on Enter, not at each press', async () => {
    const { be, u } = setup();
    await screen.findAllByTestId('board-card');
    await u.click(screen.getByTestId('board-layout-list'));
    const picker = within((await screen.findAllByTestId('board-row'))[0]).getByTestId('row-stage') as HTMLSelectElement;
    for (const to of ['qualification', 'engagement']) {
      fireEvent.keyDown(picker, { key: 'ArrowDown' });
      picker.value = to;
      fireEvent.change(picker);
    }
    expect(be.moveLead).not.toHaveBeenCalled();
    fireEvent.keyDown(picker, { key: 'Enter' });
    expect(be.moveLead).toHaveBeenCalledTimes(1);
    expect(be.moveLead).toHaveBeenCalledWith(12, 2, 'engagement', null);
  });

  it('keeps the focus on the moved row\'s stage picker when a keyboard move puts the row elsewhere', async () => {
    const { be, u } = setup();
    await screen.findAllByTestId('board-card');
    await u.click(screen.getByTestId('board-layout-list'));
    const pickerOf = (id: number) =>
      within(screen.getAllByTestId('board-row').find((r) => r.dataset.leadId === String(id))!).getByTestId(
        'row-stage',
      ) as HTMLSelectElement;
    const picker = pickerOf(12);
    picker.focus();
    fireEvent.keyDown(picker, { key: 'ArrowDown' });
    picker.value = 'qualification';
    fireEvent.change(picker);
    fireEvent.keyDown(picker, { key: 'Enter' });
    expect(be.moveLead).toHaveBeenCalledWith(12, 2, 'qualification', null);
    await waitFor(() =>
      expect(screen.getAllByTestId('board-row').map((r) => Number(r.dataset.leadId))).toEqual([11, 13, 14, 12, 15]),
    );
    await waitFor(() => expect(pickerOf(12)).toHaveFocus());
  });

  it("shows a row's own stage in its picker when a second pick is refused while the first move is on its way", async () => {
    const answer = deferred<SavedLead>();
    const { be, u } = setup('editor', { moveLead: () => answer.promise });
    await screen.findAllByTestId('board-card');
    await u.click(screen.getByTestId('board-layout-list'));
    const row = () => screen.getAllByTestId('board-row').find((r) => r.dataset.leadId === '12')!;
    await u.selectOptions(within(row()).getByTestId('row-stage'), 'qualification');
    expect(be.moveLead).toHaveBeenCalledTimes(1);
    await u.selectOptions(within(row()).getByTestId('row-stage'), 'engagement');
    expect(be.moveLead).toHaveBeenCalledTimes(1);
    expect(row().dataset.stage).toBe('qualification');
    expect(within(row()).getByTestId('row-stage')).toHaveValue('qualification');
    answer.resolve(savedLead(lead({ id: 12, version: 3, stage: 'qualification' })));
  });

  it('gives Viewers no way to move cards', async () => {
    const { be } = setup('viewer');
    await screen.findAllByTestId('board-card');
    expect(screen.queryByTestId('card-move')).toBeNull();
    const grip = within(cardEl(12)).getByTestId('card-name').closest('button')!;
    await fireEvent.pointerDown(grip, { pointerId: 1, isPrimary: true, button: 0, clientX: 10, clientY: 10 });
    await fireEvent.pointerMove(window, { pointerId: 1, clientX: 520, clientY: 40 });
    expect(screen.queryByTestId('drag-ghost')).toBeNull();
    expect(be.moveLead).not.toHaveBeenCalled();
  });
});

describe('Board in the navigation', () => {
  it('is reached from the sidebar and with P', async () => {
    mockBackend({
      appStatus: async () => ({
        startup_error: null,
        initialized: true,
        session: sessionFor('editor'),
        database_path: 'x',
      }),
      pipelineBoard: async () => sampleBoard(),
    });
    render(App);
    const u = userEvent.setup();
    const entry = await screen.findByTestId('nav-board');
    await u.click(entry);
    expect(await screen.findByTestId('board-page')).toBeInTheDocument();
    expect(entry).toHaveAttribute('aria-current', 'page');
    expect(screen.getByTestId('nav-pipeline')).not.toHaveAttribute('aria-current');
    // Next to the Pipeline figures.
    const items = [...entry.closest('ul')!.querySelectorAll('.nav-item')];
    expect(items.indexOf(entry)).toBe(items.indexOf(screen.getByTestId('nav-pipeline')) + 1);

    await u.click(screen.getByTestId('nav-leads'));
    expect(screen.queryByTestId('board-page')).toBeNull();
    (document.activeElement as HTMLElement).blur();
    await u.keyboard('p');
    expect(await screen.findByTestId('board-page')).toBeInTheDocument();
    await u.keyboard('?');
    expect(await screen.findByTestId('shortcuts-help')).toHaveTextContent('Open the pipeline board');
  });
});
