import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { tick } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { apiErr, deferred, lead, mockBackend, sessionFor, summary } from '../../test/fixtures';
import { session } from '../session.svelte';
import { listPlace } from './listPlace';
import { undoMerge } from '../duplicates/merge';
import { duplicateScan } from '../duplicates/scan.svelte';
import type { LeadCount, LeadPage, LeadQuery } from '../types';
import { importRuns } from '../imports/runs.svelte';
import { importBatch } from '../../test/importFixtures';
import { defaultFilters, importFilters, leadFilters } from './filters.svelte';
import LeadList from './LeadList.svelte';
import { toasts } from '../toast.svelte';

function props(over: Partial<{ canWrite: boolean; onopen: (id: number) => void; onnew: () => void }> = {}) {
  return { canWrite: true, onopen: vi.fn(), onnew: vi.fn(), ...over };
}

const page = (items: LeadPage['items'], next_cursor: string | null = null): LeadPage => ({ items, next_cursor });

afterEach(() => {
  vi.useRealTimers();
});

async function tickAll() {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

/**
 * A backend whose stages and owners fail to load until `recover()` is called; then they are New and Qualified,
 * and Ada Admin alone (owner 7, say, has been deactivated since a filter chose them).
 */
function choicesFailingUntilRecovered() {
  let failing = true;
  const busy = () => apiErr({ code: 'internal', message: 'The database is busy' });
  const be = mockBackend({
    listLeads: async () => page([summary(1)]),
    stages: async () => {
      if (failing) throw busy();
      return [
        { key: 'new', label: 'New', closed: false },
        { key: 'qualified', label: 'Qualified', closed: false },
      ];
    },
    userDirectory: async () => {
      if (failing) throw busy();
      return [{ id: 1, name: 'Ada Admin' }];
    },
  });
  return { be, recover: () => (failing = false) };
}

describe('LeadList', () => {
  it('renders one row per lead from listLeads, with a visible count', async () => {
    const be = mockBackend({
      listLeads: async () =>
        page([summary(1), summary(2, { status: 'draft', first_name: 'Zoe', last_name: 'Zed', owner_name: 'Ada' })]),
    });
    render(LeadList, props());

    const rows = await screen.findAllByTestId('lead-row');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveAttribute('data-lead-id', '1');
    expect(rows[1]).toHaveAttribute('data-lead-id', '2');
    expect(within(rows[1]).getByText('Zoe Zed')).toBeInTheDocument();
    expect(within(rows[1]).getByText('Draft')).toBeInTheDocument();
    expect(within(rows[1]).getByText('Ada')).toBeInTheDocument();
    expect(within(rows[0]).getByText('Active')).toBeInTheDocument();
    expect(within(rows[0]).getByText('lead1@example.com')).toBeInTheDocument();
    expect(screen.getByTestId('lead-count')).toHaveTextContent('2 leads');
    // The first page asks for the default order.
    expect(be.listLeads.mock.calls[0][0]).toMatchObject({ text: '', sort: 'updated_at', ascending: false, after: null });
  });

  it('offers to refresh when a merge is undone from its toast while the list is open', async () => {
    let stored = [summary(1)];
    const be = mockBackend({
      listLeads: async () => page(stored),
      unmerge: async () => ({ survivor: lead({ id: 1 }), restored: [lead({ id: 2 })] }),
    });
    render(LeadList, props());
    expect(await screen.findAllByTestId('lead-row')).toHaveLength(1);

    // The toast's Undo, pressed with the list on screen: lead 2 is back.
    stored = [summary(1), summary(2)];
    await undoMerge(100);
    expect(await screen.findByTestId('leads-changed-by-merge')).toHaveTextContent(
      'A merge was undone: this list may have changed.',
    );
    expect(screen.getAllByTestId('lead-row')).toHaveLength(1);
    const calls = be.listLeads.mock.calls.length;
    await userEvent.setup().click(screen.getByTestId('leads-refresh'));
    await waitFor(() => expect(screen.getAllByTestId('lead-row')).toHaveLength(2));
    expect(be.listLeads.mock.calls.length).toBe(calls + 1);
    expect(screen.queryByTestId('leads-changed-by-merge')).toBeNull();
  });

  it('offers to refresh when a duplicate scan that merged leads ends while the list is open, not when it merged none', async () => {
    let enriched = 0;
    const be = mockBackend({
      listLeads: async () => page([summary(1), summary(2)]),
      scanDuplicates: async () => ({
        leads: 2,
        open: 0,
        kept_apart: 0,
        enriched,
        enrichment_stopped: false,
        enrichment_error: null,
        seconds: 1,
      }),
    });
    render(LeadList, props());
    expect(await screen.findAllByTestId('lead-row')).toHaveLength(2);
    await duplicateScan.start();
    await tickAll();
    expect(screen.queryByTestId('leads-changed-by-scan')).toBeNull();
    enriched = 1;
    await duplicateScan.start();
    expect(await screen.findByTestId('leads-changed-by-scan')).toHaveTextContent(
      'A duplicate scan merged leads: this list may have changed.',
    );
    const calls = be.listLeads.mock.calls.length;
    await userEvent.setup().click(screen.getByTestId('leads-refresh'));
    await waitFor(() => expect(be.listLeads.mock.calls.length).toBe(calls + 1));
  });

  it('reads an empty list again at once when a merge is undone', async () => {
    let stored: LeadPage['items'] = [];
    mockBackend({
      listLeads: async () => page(stored),
      unmerge: async () => ({ survivor: lead({ id: 1 }), restored: [lead({ id: 2 })] }),
    });
    render(LeadList, props());
    await screen.findByTestId('leads-empty');
    stored = [summary(1), summary(2)];
    await undoMerge(100);
    await waitFor(() => expect(screen.getAllByTestId('lead-row')).toHaveLength(2));
  });

  it('offers to refresh when an import ends while the list is open, and reads an empty list again at once', async () => {
    let stored = [summary(1), summary(2)];
    const be = mockBackend({
      listLeads: async () => page(stored),
      importResume: async () => importBatch({ id: 3 }),
    });
    render(LeadList, props());
    expect(await screen.findAllByTestId('lead-row')).toHaveLength(2);
    expect(screen.queryByTestId('leads-changed-by-import')).toBeNull();

    // A run elsewhere (here, an undo's effect) takes lead 2 away: the list is not pulled from under the reader, it says so.
    stored = [summary(1)];
    await importRuns.resume(3, 'messe.csv');
    expect(await screen.findByTestId('leads-changed-by-import')).toHaveTextContent('An import ended');
    expect(screen.getAllByTestId('lead-row')).toHaveLength(2);
    const calls = be.listLeads.mock.calls.length;
    await userEvent.setup().click(screen.getByTestId('leads-refresh'));
    await waitFor(() => expect(screen.getAllByTestId('lead-row')).toHaveLength(1));
    expect(be.listLeads.mock.calls.length).toBe(calls + 1);
    expect(screen.queryByTestId('leads-changed-by-import')).toBeNull();

    // With nothing listed there is nothing to lose: it is read again.
    stored = [];
    await importRuns.resume(3, 'messe.csv');
    await userEvent.setup().click(await screen.findByTestId('leads-refresh'));
    expect(await screen.findByTestId('leads-empty')).toBeInTheDocument();
    stored = [summary(7)];
    await importRuns.resume(3, 'messe.csv');
    expect(await screen.findAllByTestId('lead-row')).toHaveLength(1);
    expect(screen.queryByTestId('leads-changed-by-import')).toBeNull();
  });

  it('shows "No leads yet" with a create button when there are no leads at all', async () => {
    mockBackend();
    const onnew = vi.fn();
    render(LeadList, props({ onnew }));
    const empty = await screen.findByTestId('leads-empty');
    expect(empty).toHaveTextContent('No leads yet');
    await userEvent.setup().click(within(empty).getByRole('button', { name: /create a lead/i }));
    expect(onnew).toHaveBeenCalled();
  });

  it('hides New lead from viewers, in the header and in the empty state', async () => {
    mockBackend();
    render(LeadList, props({ canWrite: false }));
    const empty = await screen.findByTestId('leads-empty');
    expect(screen.queryByTestId('new-lead')).toBeNull();
    expect(within(empty).queryByRole('button')).toBeNull();
  });

  it('shows New lead to editors and calls onnew', async () => {
    mockBackend();
    const onnew = vi.fn();
    render(LeadList, props({ onnew }));
    await userEvent.setup().click(screen.getByTestId('new-lead'));
    expect(onnew).toHaveBeenCalledOnce();
  });

  it('searches as you type, once per pause (debounced), with the typed text', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: false });
    const be = mockBackend({
      listLeads: async (q: LeadQuery) => page(q.text === 'acme' ? [summary(9, { company: 'Acme' })] : [summary(1), summary(2)]),
    });
    const u = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    render(LeadList, props());
    await vi.waitFor(() => expect(be.listLeads).toHaveBeenCalledTimes(1));

    await u.type(screen.getByTestId('search-input'), 'acme');
    // Nothing sent while typing.
    expect(be.listLeads).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(160);

    expect(be.listLeads).toHaveBeenCalledTimes(2);
    expect(be.listLeads.mock.calls[1][0]).toMatchObject({ text: 'acme', after: null });
    await vi.waitFor(() => expect(screen.getAllByTestId('lead-row')).toHaveLength(1));
    expect(screen.getByTestId('lead-row')).toHaveAttribute('data-lead-id', '9');
  });

  it('never lets a slower, older search answer overwrite a newer one', async () => {
    const answers: Record<string, ReturnType<typeof deferred<LeadPage>>> = {
      ann: deferred<LeadPage>(),
      bob: deferred<LeadPage>(),
    };
    const be = mockBackend({
      listLeads: (q: LeadQuery) => (answers[q.text] ? answers[q.text].promise : Promise.resolve(page([summary(1)]))),
    });
    const u = userEvent.setup();
    render(LeadList, props());
    await screen.findAllByTestId('lead-row');

    const input = screen.getByTestId('search-input');
    await u.type(input, 'ann');
    await waitFor(() => expect(be.listLeads).toHaveBeenCalledWith(expect.objectContaining({ text: 'ann' })));
    await u.clear(input);
    await u.type(input, 'bob');
    await waitFor(() => expect(be.listLeads).toHaveBeenCalledWith(expect.objectContaining({ text: 'bob' })));

    // The newer search answers first, then the older one arrives late.
    answers.bob.resolve(page([summary(20, { first_name: 'Bob', last_name: 'Newer' })]));
    await waitFor(() => expect(screen.getByText('Bob Newer')).toBeInTheDocument());
    answers.ann.resolve(page([summary(10, { first_name: 'Ann', last_name: 'Older' })]));
    await new Promise((r) => setTimeout(r, 20));

    expect(screen.queryByText('Ann Older')).toBeNull();
    const rows = screen.getAllByTestId('lead-row');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toHaveAttribute('data-lead-id', '20');
  });

  it('opens the single match on Enter only when it answers what is typed now', async () => {
    let late: (p: LeadPage) => void = () => {};
    const be = mockBackend({
      listLeads: (q: LeadQuery) =>
        q.text === 'ann'
          ? Promise.resolve(page([summary(10, { first_name: 'Ann', last_name: 'Lee' })]))
          : q.text === 'anna'
            ? new Promise<LeadPage>((r) => (late = r))
            : Promise.resolve(page([summary(1), summary(2)])),
    });
    const onopen = vi.fn();
    const u = userEvent.setup();
    render(LeadList, props({ onopen }));
    await screen.findAllByTestId('lead-row');
    const input = screen.getByTestId('search-input');
    await u.type(input, 'ann');
    await waitFor(() => expect(screen.getAllByTestId('lead-row')).toHaveLength(1));
    await u.type(input, 'a{Enter}');
    expect(onopen).not.toHaveBeenCalled();
    await waitFor(() => expect(be.listLeads).toHaveBeenLastCalledWith(expect.objectContaining({ text: 'anna' })));
    late(page([summary(11, { first_name: 'Anna', last_name: 'Berg' })]));
    await waitFor(() => expect(screen.getByText('Anna Berg')).toBeInTheDocument());
    // The Enter an input method takes to accept a candidate (Japanese, Chinese) opens nothing.
    fireEvent.keyDown(input, { key: 'Enter', isComposing: true });
    fireEvent.keyDown(input, { key: 'Enter', keyCode: 229 });
    expect(onopen).not.toHaveBeenCalled();
    await u.type(input, '{Enter}');
    expect(onopen).toHaveBeenCalledWith(11);
  });

  it('says what the sort-direction toggle does: a pressed "Ascending order", as screen readers read toggles', async () => {
    mockBackend({ listLeads: async () => page([summary(1), summary(2)]) });
    const u = userEvent.setup();
    render(LeadList, props());
    await screen.findAllByTestId('lead-row');
    const toggle = screen.getByRole('button', { name: 'Ascending order' });
    const before = toggle.getAttribute('aria-pressed');
    await u.click(toggle);
    expect(toggle.getAttribute('aria-pressed')).toBe(before === 'true' ? 'false' : 'true');
  });

  it('opens nothing on Enter when the one lead shown is the first of more pages', async () => {
    mockBackend({
      listLeads: (q: LeadQuery) =>
        Promise.resolve(
          q.text === 'acme'
            ? { ...page([summary(10, { first_name: 'Ann', last_name: 'Lee' })]), next_cursor: 'more' }
            : page([summary(1), summary(2)]),
        ),
    });
    const onopen = vi.fn();
    const u = userEvent.setup();
    render(LeadList, props({ onopen }));
    await screen.findAllByTestId('lead-row');
    await u.type(screen.getByTestId('search-input'), 'acme');
    await waitFor(() => expect(screen.getAllByTestId('lead-row')).toHaveLength(1));
    await u.type(screen.getByTestId('search-input'), '{Enter}');
    expect(onopen).not.toHaveBeenCalled();
  });

  it('moves ↓ into the rows of what is typed, not of the search before it', async () => {
    const later = deferred<LeadPage>();
    mockBackend({
      listLeads: (q: LeadQuery) =>
        q.text === 'zed' ? later.promise : Promise.resolve(page([summary(1), summary(2)])),
    });
    const onopen = vi.fn();
    const u = userEvent.setup();
    render(LeadList, props({ onopen }));
    await screen.findAllByTestId('lead-row');
    const input = screen.getByTestId('search-input');
    await u.type(input, 'zed{ArrowDown}{Enter}');
    expect(onopen).not.toHaveBeenCalled();
    expect(input).toHaveFocus();
    later.resolve(page([summary(9, { first_name: 'Zed', last_name: 'Ray' })]));
    await waitFor(() => expect(screen.getAllByTestId('lead-row')).toHaveLength(1));
    // The ↓ pressed before they came takes the focus to the first of them.
    await waitFor(() => expect(screen.getByTestId('lead-row')).toHaveFocus());
    await u.keyboard('{Enter}');
    expect(onopen).toHaveBeenCalledWith(9);
  });

  it('keeps the focus in the search box after clearing the search or the filters', async () => {
    mockBackend({ listLeads: async (q: LeadQuery) => page(q.text ? [] : [summary(1)]) });
    const u = userEvent.setup();
    render(LeadList, props());
    await screen.findAllByTestId('lead-row');
    const input = screen.getByTestId('search-input');
    await u.type(input, 'ann');
    await u.click(screen.getByRole('button', { name: 'Clear search' }));
    expect(input).toHaveValue('');
    expect(input).toHaveFocus();
    await u.type(input, 'zzz');
    await u.click(await screen.findByTestId('clear-filters'));
    expect(input).toHaveFocus();
  });

  it('says which search matched nothing and clears the filters on request', async () => {
    const be = mockBackend({
      listLeads: async (q: LeadQuery) => page(q.text ? [] : [summary(1)]),
    });
    const u = userEvent.setup();
    render(LeadList, props());
    await screen.findAllByTestId('lead-row');

    await u.type(screen.getByTestId('search-input'), 'zzz');
    const empty = await screen.findByTestId('leads-empty');
    expect(empty).toHaveTextContent('No leads match “zzz”');

    await u.click(within(empty).getByRole('button', { name: /clear filters/i }));
    await screen.findAllByTestId('lead-row');
    expect(screen.getByTestId('search-input')).toHaveValue('');
    expect(be.listLeads.mock.lastCall?.[0]).toMatchObject({ text: '' });
  });

  it('applies a status filter at once', async () => {
    const be = mockBackend({ listLeads: async () => page([summary(1)]) });
    render(LeadList, props());
    await screen.findAllByTestId('lead-row');
    await fireEvent.change(screen.getByTestId('filter-status'), { target: { value: 'draft' } });
    await waitFor(() => expect(be.listLeads.mock.lastCall?.[0]).toMatchObject({ status: 'draft' }));
  });

  it('lists only the leads that need fixing on request', async () => {
    const be = mockBackend({ listLeads: async () => page([summary(1)]) });
    render(LeadList, props());
    await screen.findAllByTestId('lead-row');
    expect(be.listLeads.mock.lastCall?.[0]).toMatchObject({ needs_fixing: false });
    await userEvent.setup().click(screen.getByTestId('filter-needs-fixing'));
    await waitFor(() => expect(be.listLeads.mock.lastCall?.[0]).toMatchObject({ needs_fixing: true }));
    expect(screen.getByTestId('clear-filters')).toBeInTheDocument();
  });

  it("lists an import's leads under a filter named by its file, removed in one click", async () => {
    leadFilters.f = importFilters(12, 'messe.csv');
    const be = mockBackend({ listLeads: async () => page([summary(1)]) });
    render(LeadList, props());
    await screen.findAllByTestId('lead-row');
    expect(be.listLeads.mock.lastCall?.[0]).toMatchObject({ import_id: 12, sort: 'created_at', ascending: false });
    const chip = screen.getByTestId('filter-import');
    expect(chip).toHaveTextContent('messe.csv');
    await userEvent.setup().click(within(chip).getByRole('button', { name: 'Show the leads of every import' }));
    await waitFor(() => expect(be.listLeads.mock.lastCall?.[0]).toMatchObject({ import_id: null }));
    expect(screen.queryByTestId('filter-import')).toBeNull();
    expect(leadFilters.f.importFile).toBe('');

    // "Clear filters" takes it away too.
    leadFilters.f = importFilters(12, 'messe.csv');
    await waitFor(() => expect(be.listLeads.mock.lastCall?.[0]).toMatchObject({ import_id: 12 }));
    await userEvent.setup().click(await screen.findByTestId('clear-filters'));
    await waitFor(() => expect(be.listLeads.mock.lastCall?.[0]).toMatchObject({ import_id: null }));
  });

  it('fetches the next page with the cursor as the rows run out, and appends it', async () => {
    const be = mockBackend({
      listLeads: async (q: LeadQuery) =>
        q.after === 'c1' ? page([summary(3)]) : page([summary(1), summary(2)], 'c1'),
      countLeads: async () => ({ count: 3, more: false }),
    });
    render(LeadList, props());
    // Two rows do not fill the window: the next page is asked for without a click.
    await waitFor(() => expect(screen.getAllByTestId('lead-row')).toHaveLength(3));
    expect(be.listLeads.mock.lastCall?.[0]).toMatchObject({ after: 'c1' });
    expect(screen.queryByTestId('load-more')).toBeNull();
    await waitFor(() => expect(screen.getByTestId('lead-count')).toHaveTextContent(/^3 leads$/));
    // Loading more rows does not count again.
    expect(be.countLeads).toHaveBeenCalledTimes(1);
  });

  it('stops fetching on its own after a page fails, until Load more is pressed', async () => {
    let fail = true;
    const be = mockBackend({
      listLeads: async (q: LeadQuery) => {
        if (q.after === 'c1' && fail) throw new Error('disk unplugged');
        return q.after === 'c1' ? page([summary(3)]) : page([summary(1), summary(2)], 'c1');
      },
    });
    render(LeadList, props());
    const more = await screen.findByTestId('load-more');
    await waitFor(() => expect(be.listLeads).toHaveBeenCalledTimes(2));
    await new Promise((r) => setTimeout(r, 30));
    expect(be.listLeads).toHaveBeenCalledTimes(2);
    expect(screen.getAllByTestId('lead-row')).toHaveLength(2);

    fail = false;
    await userEvent.setup().click(more);
    await waitFor(() => expect(screen.getAllByTestId('lead-row')).toHaveLength(3));
    expect(be.listLeads.mock.lastCall?.[0]).toMatchObject({ after: 'c1' });
  });

  it('reads on past stretches of the index the filters keep nothing of, instead of saying nothing matches', async () => {
    // The backend reads a bounded stretch per page: a scoped search can come back empty with more to read.
    const be = mockBackend({
      listLeads: async (q: LeadQuery) => {
        if (q.after === null) return page([], 'c1');
        if (q.after === 'c1') return page([summary(7)], 'c2');
        if (q.after === 'c2') return page([], 'c3');
        return page([summary(8)]);
      },
    });
    render(LeadList, props());
    const rows = await screen.findAllByTestId('lead-row');
    expect(rows.map((r) => r.getAttribute('data-lead-id'))).toContain('7');
    expect(screen.queryByTestId('leads-empty')).toBeNull();
    await userEvent.setup().click(await screen.findByTestId('load-more'));
    await waitFor(() => expect(screen.getAllByTestId('lead-row')).toHaveLength(2));
    expect(be.listLeads).toHaveBeenCalledTimes(4);
    expect(screen.queryByTestId('load-more')).toBeNull();
  });

  it('opens a lead on click and on Enter', async () => {
    mockBackend({ listLeads: async () => page([summary(1), summary(2)]) });
    const onopen = vi.fn();
    render(LeadList, props({ onopen }));
    const rows = await screen.findAllByTestId('lead-row');
    const u = userEvent.setup();
    await u.click(rows[1]);
    expect(onopen).toHaveBeenLastCalledWith(2);
    rows[0].focus();
    await u.keyboard('{Enter}');
    expect(onopen).toHaveBeenLastCalledWith(1);
  });

  it.each([
    [{ count: 1, more: false }, [summary(1)], null, /^1 lead$/],
    [{ count: 1234, more: false }, [summary(1), summary(2)], 'c1', /^1,234 leads · 2 shown$/],
    [{ count: 10000, more: true }, [summary(1)], 'c1', /^10,000\+ leads · 1 shown$/],
  ] as [LeadCount, LeadPage['items'], string | null, RegExp][])(
    'shows the count %o in words',
    async (count, rows, cursor, text) => {
      const be = mockBackend({ listLeads: async () => page(rows, cursor), countLeads: async () => count });
      render(LeadList, props());
      await screen.findAllByTestId('lead-row');
      await waitFor(() => expect(screen.getByTestId('lead-count')).toHaveTextContent(text));
      // The count asks about the list's filters, from the first row on.
      expect(be.countLeads.mock.calls[0][0]).toMatchObject({ text: '', after: null, sort: 'updated_at' });
    },
  );

  it('says "Counting…" until the count arrives, and ignores a count that answers an older search', async () => {
    const counts: Record<string, ReturnType<typeof deferred<LeadCount>>> = {
      '': deferred<LeadCount>(),
      ann: deferred<LeadCount>(),
      bob: deferred<LeadCount>(),
    };
    const be = mockBackend({
      listLeads: async (q: LeadQuery) => page([summary(q.text === 'bob' ? 20 : 1)], 'next'),
      countLeads: (q: LeadQuery) => counts[q.text].promise,
    });
    const u = userEvent.setup();
    render(LeadList, props());
    await screen.findAllByTestId('lead-row');
    const countEl = screen.getByTestId('lead-count');
    expect(countEl).toHaveTextContent(/^Counting…$/);
    counts[''].resolve({ count: 5000, more: false });
    await waitFor(() => expect(countEl).toHaveTextContent(/^5,000 leads · 1 shown$/));

    const input = screen.getByTestId('search-input');
    await u.type(input, 'ann');
    await waitFor(() => expect(be.countLeads).toHaveBeenCalledWith(expect.objectContaining({ text: 'ann' })));
    await u.clear(input);
    await u.type(input, 'bob');
    await waitFor(() => expect(be.countLeads).toHaveBeenCalledWith(expect.objectContaining({ text: 'bob' })));
    await waitFor(() => expect(screen.getByTestId('lead-row')).toHaveAttribute('data-lead-id', '20'));
    expect(countEl).toHaveTextContent(/^Counting…$/);

    // The newer search is counted first; the older count arrives late and must not replace it.
    counts.bob.resolve({ count: 2, more: false });
    await waitFor(() => expect(countEl).toHaveTextContent(/^2 leads · 1 shown$/));
    counts.ann.resolve({ count: 999, more: false });
    await new Promise((r) => setTimeout(r, 20));
    expect(countEl).toHaveTextContent(/^2 leads · 1 shown$/);
  });

  it('says beside the filters when the stages and owners cannot be loaded, and loads them on Try again', async () => {
    const { be, recover } = choicesFailingUntilRecovered();
    const optionLabels = (testid: string) =>
      [...(screen.getByTestId(testid) as HTMLSelectElement).options].map((o) => o.textContent?.trim());
    render(LeadList, props());

    const warning = await screen.findByTestId('lead-filter-choices-error');
    expect(warning).toHaveAttribute('role', 'alert');
    expect(warning).toHaveTextContent('Could not load the stages and owners: The database is busy');
    expect(optionLabels('filter-stage')).toEqual(['Any']);
    expect(optionLabels('filter-owner')).toEqual(['Anyone']);
    // The leads are listed all the same.
    expect(await screen.findAllByTestId('lead-row')).toHaveLength(1);

    recover();
    await userEvent.setup().click(within(warning).getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(screen.queryByTestId('lead-filter-choices-error')).toBeNull());
    expect(be.stages).toHaveBeenCalledTimes(2);
    expect(be.userDirectory).toHaveBeenCalledTimes(2);
    expect(optionLabels('filter-stage')).toEqual(['Any', 'New', 'Qualified']);
    expect(optionLabels('filter-owner')).toEqual(['Anyone', 'Ada Admin']);
  });

  it('offers a deactivated owner in the Owner filter, so their leads can be found and handed over', async () => {
    mockBackend({
      listLeads: async () => page([summary(1)]),
      owners: async () => [{ id: 1, name: 'Ada Admin' }],
      userDirectory: async () => [
        { id: 1, name: 'Ada Admin' },
        { id: 7, name: 'Old Rep' },
      ],
    });
    render(LeadList, props());
    await waitFor(() =>
      expect([...(screen.getByTestId('filter-owner') as HTMLSelectElement).options].map((o) => o.textContent?.trim())).toEqual(
        ['Anyone', 'Ada Admin', 'Old Rep'],
      ),
    );
  });

  it('names only the filter list that could not be loaded', async () => {
    mockBackend({ userDirectory: async () => Promise.reject(apiErr({ code: 'internal', message: 'Timed out' })) });
    render(LeadList, props());
    const warning = await screen.findByTestId('lead-filter-choices-error');
    expect(warning).toHaveTextContent('Could not load the owners: Timed out');
    expect(warning).toHaveTextContent('you cannot choose another owner to filter by');
    const stage = screen.getByTestId('filter-stage') as HTMLSelectElement;
    expect([...stage.options].map((o) => o.value)).toEqual(['', 'new', 'qualified']);
  });

  it('still shows a kept Stage and Owner filter when the stages and owners cannot be loaded, or no longer hold it', async () => {
    leadFilters.f = { ...defaultFilters(), stage: 'qualified', owner: '7' };
    const { be, recover } = choicesFailingUntilRecovered();
    const select = (testid: string) => screen.getByTestId(testid) as HTMLSelectElement;
    const shown = (testid: string) => select(testid).selectedOptions[0]?.textContent?.trim();
    render(LeadList, props());

    const warning = await screen.findByTestId('lead-filter-choices-error');
    expect(await screen.findAllByTestId('lead-row')).toHaveLength(1);
    expect(be.listLeads.mock.lastCall?.[0]).toMatchObject({ stage: 'qualified', owner_id: 7 });
    // The selects show the filter the list really has, named by what is known of it, not "Any"/"Anyone".
    expect(select('filter-stage')).toHaveValue('qualified');
    expect(shown('filter-stage')).toBe('qualified');
    expect(select('filter-owner')).toHaveValue('7');
    expect(shown('filter-owner')).toBe('user #7');
    expect(leadFilters.f).toMatchObject({ stage: 'qualified', owner: '7' });

    recover();
    await userEvent.setup().click(within(warning).getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(screen.queryByTestId('lead-filter-choices-error')).toBeNull());
    // A stage that loads is named by its label and offered once; an owner no longer listed stays offered.
    await waitFor(() => expect(shown('filter-stage')).toBe('Qualified'));
    expect([...select('filter-stage').options].map((o) => o.value)).toEqual(['', 'new', 'qualified']);
    expect(select('filter-owner')).toHaveValue('7');
    expect(shown('filter-owner')).toBe('user #7');
    expect([...select('filter-owner').options].map((o) => o.value)).toEqual(['', '1', '7']);
  });

  it('offers the campaigns and tags in use as suggestions in the Campaign and Tag filters', async () => {
    const be = mockBackend({
      listLeads: async () => page([summary(1)]),
      leadFacets: async () => ({ campaigns: ['Spring Fair', 'Webinar 2025'], tags: ['vip', 'follow-up'] }),
    });
    render(LeadList, props());
    await screen.findAllByTestId('lead-row');
    expect(be.leadFacets).toHaveBeenCalledOnce();

    const campaign = screen.getByTestId('filter-campaign');
    const campaigns = screen.getByTestId('filter-campaign-options');
    expect(campaign).toHaveAttribute('list', campaigns.id);
    await waitFor(() =>
      expect([...campaigns.querySelectorAll('option')].map((o) => o.value)).toEqual(['Spring Fair', 'Webinar 2025']),
    );
    const tag = screen.getByTestId('filter-tag');
    const tags = screen.getByTestId('filter-tag-options');
    expect(tag).toHaveAttribute('list', tags.id);
    expect([...tags.querySelectorAll('option')].map((o) => o.value)).toEqual(['vip', 'follow-up']);

    // Free text still works: a campaign nobody used yet is sent as typed.
    await userEvent.setup().type(campaign, 'Autumn');
    await waitFor(() => expect(be.listLeads.mock.lastCall?.[0]).toMatchObject({ campaign: 'Autumn' }));
  });
});

describe('LeadList coming back to it', () => {
  const all = Array.from({ length: 300 }, (_, i) => summary(i + 1));
  /** Pages of `all` by offset; lead 52 is renamed once `renamed` is set. */
  function pagedBackend(state: { renamed: boolean }) {
    return mockBackend({
      listLeads: async (q: LeadQuery) => {
        const from = q.after ? Number(q.after) : 0;
        const slice = all
          .slice(from, from + Math.min(q.limit, 500))
          .map((l) => (state.renamed && l.id === 52 ? { ...l, first_name: 'Renamed' } : l));
        const end = from + slice.length;
        return page(slice, end < all.length ? String(end) : null);
      },
      countLeads: async () => ({ count: all.length, more: false }),
    });
  }

  const scroller = () => document.querySelector<HTMLDivElement>('.leads-scroll')!;

  /** Opens the list, loads a second page, scrolls down to lead 52 (which loads a third) and leaves. */
  async function leaveScrolled() {
    const first = render(LeadList, props());
    await screen.findAllByTestId('lead-row');
    await fireEvent.click(screen.getByTestId('load-more'));
    await waitFor(() => expect(screen.getByTestId('lead-count')).toHaveTextContent('300 leads · 100 shown'));
    scroller().scrollTop = 1800;
    await fireEvent.scroll(scroller());
    await waitFor(() => expect(screen.getByTestId('lead-count')).toHaveTextContent('300 leads · 150 shown'));
    first.unmount();
  }

  beforeEach(() => {
    session.current = sessionFor('editor');
    leadFilters.f = defaultFilters();
    listPlace.reset();
  });
  afterEach(() => {
    session.current = null;
    listPlace.reset();
  });

  it('shows the rows loaded before, scrolled where they were, and reads them again as they are now', async () => {
    const state = { renamed: false };
    const be = pagedBackend(state);
    await leaveScrolled();

    state.renamed = true;
    be.listLeads.mockClear();
    render(LeadList, props());
    // At once, before anything is read again: the 150 rows, not the first page, at the same scroll.
    await tick();
    expect(screen.getByTestId('lead-count')).toHaveTextContent('150 shown');
    expect(scroller().scrollTop).toBe(1800);
    // Read again from the start, as many as were loaded, in the same table: the scroll does not move.
    await waitFor(() => expect(screen.getByText('Renamed Last52')).toBeInTheDocument());
    expect(be.listLeads.mock.calls[0][0]).toMatchObject({ after: null, limit: 150 });
    expect(be.listLeads).toHaveBeenCalledTimes(1);
    expect(scroller().scrollTop).toBe(1800);
    expect(screen.getByTestId('lead-count')).toHaveTextContent('300 leads · 150 shown');
  });

  describe('with a viewport laid out', () => {
    // jsdom lays nothing out: the list's viewport is given the height of a window's.
    let height: PropertyDescriptor | undefined;
    beforeEach(() => {
      height = Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'clientHeight');
      Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
        configurable: true,
        get() {
          return (this as HTMLElement).classList.contains('leads-scroll') ? 600 : 0;
        },
      });
    });
    afterEach(() => {
      if (height) Object.defineProperty(HTMLElement.prototype, 'clientHeight', height);
    });

    /** Opens the list, scrolls to lead 52's row and opens it with a click; the list goes. */
    async function openFromRow(be: ReturnType<typeof pagedBackend>) {
      const first = render(LeadList, props());
      await screen.findAllByTestId('lead-row');
      await fireEvent.click(screen.getByTestId('load-more'));
      await waitFor(() => expect(screen.getByTestId('lead-count')).toHaveTextContent('100 shown'));
      scroller().scrollTop = 1600;
      await fireEvent.scroll(scroller());
      await waitFor(() => expect(screen.getByTestId('lead-count')).toHaveTextContent('150 shown'));
      const row = await waitFor(() => {
        const r = document.querySelector<HTMLElement>('[data-lead-id="52"]');
        expect(r).not.toBeNull();
        return r!;
      });
      row.focus();
      await fireEvent.click(row);
      first.unmount();
      be.listLeads.mockClear();
    }

    it('gives the focus back to the row opened, following its lead when the rows read again moved it', async () => {
      const state = { renamed: false };
      const be = pagedBackend(state);
      await openFromRow(be);
      // Edited on its page, it moved up among the rows (six leads it came after went to the end meanwhile).
      const moved = [...all.slice(0, 45), all[51], ...all.slice(45, 51), ...all.slice(52)];
      const reread = deferred<LeadPage>();
      be.listLeads.mockImplementation(() => reread.promise);
      render(LeadList, props());
      await waitFor(() => expect(document.activeElement).toHaveAttribute('data-lead-id', '52'));
      reread.resolve(page(moved.slice(0, 150), '150'));
      await waitFor(() => expect(screen.getByTestId('lead-count')).not.toHaveTextContent('Updating'));
      // The row ↑/↓ and Tab come back to follows lead 52, not the place its row had.
      await waitFor(() => expect(document.querySelector('[data-lead-id="52"]')).toHaveAttribute('data-index', '45'));
      const stops = [...document.querySelectorAll('[data-testid="lead-row"][tabindex="0"]')];
      expect(stops.map((r) => r.getAttribute('data-lead-id'))).toEqual(['52']);
    });

    it('takes the focus from what held it as the list came back (the sidebar button that brought it)', async () => {
      const be = pagedBackend({ renamed: false });
      await openFromRow(be);
      const sidebar = document.createElement('button');
      sidebar.textContent = 'Leads';
      document.body.appendChild(sidebar);
      sidebar.focus();
      render(LeadList, props());
      await waitFor(() => expect(document.activeElement).toHaveAttribute('data-lead-id', '52'));
      sidebar.remove();
    });

    it('leaves the focus where the user put it meanwhile (the search, asked for with /)', async () => {
      const be = pagedBackend({ renamed: false });
      await openFromRow(be);
      render(LeadList, props());
      screen.getByTestId('search-input').focus();
      await waitFor(() => expect(be.listLeads).toHaveBeenCalled());
      for (let i = 0; i < 5; i++) await tick();
      await new Promise((r) => setTimeout(r, 50));
      expect(screen.getByTestId('search-input')).toHaveFocus();
    });
  });

  it('starts from the top when the filters changed meanwhile', async () => {
    const be = pagedBackend({ renamed: false });
    await leaveScrolled();

    leadFilters.f = { ...defaultFilters(), status: 'active' };
    be.listLeads.mockClear();
    render(LeadList, props());
    await waitFor(() => expect(screen.getByTestId('lead-count')).toHaveTextContent('300 leads · 50 shown'));
    expect(be.listLeads.mock.calls[0][0]).toMatchObject({ status: 'active', after: null, limit: 50 });
    expect(scroller().scrollTop).toBe(0);
  });

  it('never shows the rows of another session, even the same user signing in again', async () => {
    const be = pagedBackend({ renamed: false });
    await leaveScrolled();

    session.current = sessionFor('editor');
    be.listLeads.mockClear();
    const d = deferred<LeadPage>();
    be.listLeads.mockImplementationOnce(() => d.promise);
    render(LeadList, props());
    await tick();
    expect(screen.queryAllByTestId('lead-row')).toHaveLength(0);
    expect(screen.getByTestId('lead-count')).toHaveTextContent('Loading…');
    d.resolve(page(all.slice(0, 50), '50'));
    await waitFor(() => expect(screen.getByTestId('lead-count')).toHaveTextContent('300 leads · 50 shown'));
    expect(be.listLeads.mock.calls[0][0]).toMatchObject({ after: null, limit: 50 });
  });
});

describe('LeadList export', () => {
  beforeEach(() => {
    leadFilters.f = defaultFilters();
    listPlace.reset();
  });

  it('exports what the list shows, says where it went, and how far it is while it runs', async () => {
    const saved = deferred<{ path: string; count: number }>();
    let progress: (p: { written: number; total: number }) => void = () => {};
    const be = mockBackend({
      listLeads: async () => page([summary(1), summary(2)], 'more'),
      countLeads: async () => ({ count: 10000, more: true }),
      exportLeads: vi.fn((_q: LeadQuery, _name: string, onProgress: (p: { written: number; total: number }) => void) => {
        progress = onProgress;
        return saved.promise;
      }),
    });
    leadFilters.f = { ...defaultFilters(), text: 'acme' };
    render(LeadList, props());
    await waitFor(() => expect(screen.getByTestId('lead-count')).toHaveTextContent('10,000+ leads'));
    const u = userEvent.setup();
    await u.click(screen.getByTestId('lead-export'));
    const [query, name] = be.exportLeads.mock.calls[0];
    expect(query).toMatchObject({ text: 'acme' });
    expect(name).toMatch(/^leads-\d{4}-\d{2}-\d{2}\.csv$/);
    // Before the export has counted, the bar has no end; then it has the export's own count, past the list's cap.
    expect(screen.getByRole('progressbar', { name: 'Export progress' })).not.toHaveAttribute('max');
    progress({ written: 0, total: 12500 });
    progress({ written: 1000, total: 12500 });
    await waitFor(() => expect(screen.getByTestId('lead-export-progress')).toHaveTextContent('Exporting… 1,000 of 12,500'));
    expect(screen.getByRole('progressbar', { name: 'Export progress' })).toHaveAttribute('value', '1000');
    expect(screen.getByRole('progressbar', { name: 'Export progress' })).toHaveAttribute('max', '12500');
    saved.resolve({ path: `/home/ada/Downloads/${name}`, count: 12500 });
    await waitFor(() => expect(screen.getByTestId('lead-export')).toBeInTheDocument());
    const told = toasts.items.find((t) => t.message === `Exported 12,500 leads to /home/ada/Downloads/${name}`);
    expect(told?.action?.testid, 'as any saved file: a button to copy its path').toBe('copy-saved-path');
  });

  it('cancels a running export, which leaves no file, and says so', async () => {
    const saved = deferred<{ path: string; count: number }>();
    const be = mockBackend({
      listLeads: async () => page([summary(1)]),
      countLeads: async () => ({ count: 10000, more: true }),
      exportLeads: vi.fn(() => saved.promise),
      cancelLeadExport: vi.fn(async () => saved.reject(apiErr({ code: 'cancelled', message: 'cancelled; nothing was saved' }))),
    });
    render(LeadList, props());
    const u = userEvent.setup();
    await u.click(await screen.findByTestId('lead-export'));
    expect(screen.getByTestId('lead-export-progress')).toHaveTextContent('Exporting… 0');
    expect(screen.getByTestId('lead-export-progress')).not.toHaveTextContent(' of ');
    await u.click(screen.getByTestId('lead-export-cancel'));
    expect(be.cancelLeadExport).toHaveBeenCalledOnce();
    await waitFor(() => expect(toasts.items.map((t) => t.message)).toContain('Export cancelled; no file was saved.'));
    expect(screen.getByTestId('lead-export')).toBeEnabled();
  });

  it('offers no export of an empty list', async () => {
    mockBackend({ listLeads: async () => page([]), countLeads: async () => ({ count: 0, more: false }) });
    render(LeadList, props());
    await waitFor(() => expect(screen.getByTestId('lead-export')).toBeDisabled());
  });
});
