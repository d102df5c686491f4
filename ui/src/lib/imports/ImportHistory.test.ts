import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { apiErr, deferred, mockBackend, sessionFor } from '../../test/fixtures';
import { counts, csvFile, importBatch, runProgress } from '../../test/importFixtures';
import type { Backend } from '../api';
import { leadFilters } from '../leads/filters.svelte';
import { nav } from '../nav.svelte';
import { session } from '../session.svelte';
import { toasts } from '../toast.svelte';
import type { ImportBatch, RunProgress, UndoReport } from '../types';
import ImportHistory from './ImportHistory.svelte';
import ImportsPage from './ImportsPage.svelte';

function open(over: Partial<Backend> = {}) {
  const be = mockBackend(over);
  render(ImportHistory);
  return { be, u: userEvent.setup() };
}

async function row(id: number): Promise<HTMLElement> {
  await waitFor(() => expect(screen.getAllByTestId('history-row').some((r) => r.dataset.batchId === String(id))).toBe(true));
  return screen.getAllByTestId('history-row').find((r) => r.dataset.batchId === String(id))!;
}

describe('Import history', () => {
  it("opens the leads list narrowed to an import's leads, for an import that left some", async () => {
    const { u } = open({
      importHistory: async () => [
        importBatch({ id: 4, file_name: 'undone.csv', status: 'undone', counts: counts({ create_active: 3 }) }),
        importBatch({ id: 3, file_name: 'rejected.csv', counts: counts({ reject: 2 }) }),
        importBatch({ id: 2, file_name: 'leads.csv', counts: counts({ create_active: 2, update: 1 }) }),
      ],
    });
    expect(within(await row(4)).queryByTestId('history-show-leads')).toBeNull();
    expect(within(await row(3)).queryByTestId('history-show-leads')).toBeNull();
    const r = await row(2);
    await u.click(within(r).getByRole('button', { name: 'Show the leads of the import of leads.csv' }));
    expect(nav.view).toEqual({ name: 'leads' });
    expect(leadFilters.f).toMatchObject({ importId: 2, importFile: 'leads.csv' });
    leadFilters.clear();
  });

  it("opens the review queue narrowed to an import's pairs, for an import that queued some", async () => {
    session.current = sessionFor('editor');
    const { u } = open({
      importHistory: async () => [
        importBatch({ id: 5, file_name: 'undone.csv', status: 'undone', counts: counts({ review: 3 }) }),
        importBatch({ id: 4, file_name: 'plain.csv', counts: counts({ create_active: 2 }) }),
        importBatch({ id: 3, file_name: 'fair.csv', counts: counts({ create_active: 2, review: 1 }) }),
      ],
    });
    expect(within(await row(5)).queryByTestId('history-review-pairs')).toBeNull();
    expect(within(await row(4)).queryByTestId('history-review-pairs')).toBeNull();
    const r = await row(3);
    await u.click(within(r).getByRole('button', { name: 'Review the possible duplicates of the import of fair.csv' }));
    expect(nav.view).toEqual({ name: 'duplicates', importId: 3, importFile: 'fair.csv' });
  });

  it('says so when there are no imports yet', async () => {
    open({ importHistory: async () => [] });
    expect(await screen.findByTestId('history-empty')).toHaveTextContent('No imports yet');
    expect(screen.queryByTestId('history-table')).toBeNull();
  });

  it('shows the history as loading, not as empty, while a load that failed is tried again', async () => {
    const again = deferred<ImportBatch[]>();
    let calls = 0;
    const { u } = open({
      importHistory: () => (++calls === 1 ? Promise.reject(apiErr({ code: 'internal', message: 'database is locked' })) : again.promise),
    });
    const failed = await screen.findByTestId('history-error');
    await u.click(within(failed).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByTestId('history-loading')).toBeInTheDocument();
    expect(screen.queryByTestId('history-empty')).toBeNull();
    again.resolve([]);
    expect(await screen.findByTestId('history-empty')).toBeInTheDocument();
  });

  it('keeps the rows, and a running undo\'s Stop button, when a refresh fails, and says why above them', async () => {
    const ended = deferred<UndoReport>();
    const { be, u } = open({ importUndo: () => ended.promise });
    await u.click(within(await row(1)).getByTestId('history-undo'));
    await u.click(await screen.findByTestId('undo-confirm'));
    await u.click(await screen.findByTestId('undo-close'));
    await within(await row(1)).findByTestId('history-cancel');

    be.importHistory.mockRejectedValue(apiErr({ code: 'internal', message: 'database is locked' }));
    await u.click(screen.getByTestId('history-refresh'));
    const failed = await screen.findByTestId('history-error');
    expect(within(await row(1)).getByTestId('history-cancel')).toBeEnabled();
    const table = screen.getByTestId('history-table');
    expect(failed.compareDocumentPosition(table) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(failed).toHaveTextContent('Could not load the import history: Database is locked');
    expect(failed).toHaveTextContent('The list below is as it was last read.');
  });

  it('lists each import with its source, template, author, status, counts and rows', async () => {
    open({
      importHistory: async () => [
        importBatch({ id: 3, file_name: 'partner.csv', channel: 'partner', source_detail: 'Acme list', template: 'Acme', status: 'cancelled', rows_done: 40, rows_total: 100, counts: counts({ create_active: 38, reject: 2 }) }),
        importBatch(),
        importBatch({ id: 4, status: 'failed', rows_done: 500, rows_total: 900, error: 'disk full' }),
      ],
    });
    const r = await row(3);
    expect(r).toHaveTextContent('partner.csv');
    // The detail on a line of its own, a word apart from the channel.
    expect(r).toHaveTextContent('Partner Acme list');
    expect(r).toHaveTextContent('Acme');
    expect(r).toHaveTextContent('Ada Admin');
    expect(within(r).getByTestId('history-status')).toHaveTextContent('Cancelled');
    expect(within(r).getByTestId('history-counts')).toHaveTextContent('38 created (active) · 2 rejected');
    expect(within(r).getByTestId('history-rows')).toHaveTextContent('40 / 100');
    // A cancelled import can be resumed, and a failed one (its rows so far are in); a completed one cannot.
    expect(within(r).getByTestId('history-resume')).toBeInTheDocument();
    expect(within(await row(4)).getByTestId('history-resume')).toBeInTheDocument();
    expect(within(await row(1)).queryByTestId('history-resume')).toBeNull();
  });

  it('undoes an import only after the confirmation says what will happen, then shows what it did', async () => {
    const { be, u } = open();
    const r = await row(1);
    await u.click(within(r).getByTestId('history-undo'));
    const dialog = await screen.findByTestId('undo-dialog');
    const explain = within(dialog).getByTestId('undo-explain');
    expect(explain).toHaveTextContent('Leads it created are removed (6).');
    expect(explain).toHaveTextContent('Fields it changed on existing leads are set back to what they were (1 lead).');
    expect(explain).toHaveTextContent('Edits made since the import are kept');

    await u.click(within(dialog).getByTestId('undo-cancel'));
    await waitFor(() => expect(screen.queryByTestId('undo-dialog')).toBeNull());
    expect(be.importUndo).not.toHaveBeenCalled();

    await u.click(within(r).getByTestId('history-undo'));
    await u.click(within(await screen.findByTestId('undo-dialog')).getByTestId('undo-confirm'));
    const report = await screen.findByTestId('undo-report');
    expect(be.importUndo).toHaveBeenCalledOnce();
    expect(be.importUndo.mock.calls[0][0]).toBe(1);
    expect(within(report).getByTestId('undo-removed')).toHaveTextContent('6');
    expect(within(report).getByTestId('undo-reverted')).toHaveTextContent('0');
    expect(within(report).getByTestId('undo-kept-count')).toHaveTextContent('1');
    const [kept] = within(report).getAllByTestId('undo-kept-lead');
    expect(kept).toHaveTextContent('Ada Lovelace');
    expect(kept).toHaveTextContent('edited by Eve Editor after the import (company)');

    // The history reads itself again: the import is undone, and cannot be undone twice.
    await waitFor(() => expect(within(screen.getAllByTestId('history-row')[0]).getByTestId('history-status')).toHaveTextContent('Undone'));
    expect(within(screen.getAllByTestId('history-row')[0]).queryByTestId('history-undo')).toBeNull();

    await u.click(within(kept).getByRole('button', { name: 'Ada Lovelace' }));
    expect(nav.view).toEqual({ name: 'lead', id: 501 });
    await waitFor(() => expect(screen.queryByTestId('undo-dialog')).toBeNull());
  });

  it('shows the undo progress, and tells the end in a toast when the dialog was closed meanwhile', async () => {
    let report!: (p: RunProgress) => void;
    const ended = deferred<UndoReport>();
    const { u } = open({
      importUndo: (_id, onProgress) => {
        report = onProgress;
        return ended.promise;
      },
    });
    await u.click(within(await row(1)).getByTestId('history-undo'));
    await u.click(screen.getByTestId('undo-confirm'));
    report(runProgress({ batch_id: 1, phase: 'undoing', rows_done: 3, rows_total: 7 }));
    await waitFor(() => expect((screen.getByTestId('undo-progress-bar') as HTMLProgressElement).value).toBe(3));
    expect(screen.getByTestId('undo-progress-count')).toHaveTextContent('3 of 7 leads · 42%');
    // The row shows the undo running.
    expect(within(await row(1)).getByTestId('history-running')).toHaveTextContent('Undoing 42%');

    await u.click(screen.getByTestId('undo-close'));
    await waitFor(() => expect(screen.queryByTestId('undo-dialog')).toBeNull());
    ended.resolve({ removed: 6, reverted: 1, kept: [], kept_count: 0 });
    await waitFor(() => expect(toasts.items.map((t) => t.message)).toEqual([
      'Undid the import of messe-2024.xlsx: 6 leads removed, 1 set back, 0 kept',
    ]));
  });

  it('stops a running undo between its steps, from its dialog, and says how to finish it', async () => {
    let report!: (p: RunProgress) => void;
    const ended = deferred<UndoReport>();
    const { be, u } = open({
      importUndo: (_id, onProgress) => {
        report = onProgress;
        return ended.promise;
      },
      importCancel: vi.fn(async () => {
        ended.reject(apiErr({ code: 'cancelled', message: 'cancelled' }));
        return true;
      }),
    });
    await u.click(within(await row(1)).getByTestId('history-undo'));
    await u.click(screen.getByTestId('undo-confirm'));
    report(runProgress({ batch_id: 1, phase: 'undoing', rows_done: 3, rows_total: 7 }));
    await u.click(await screen.findByTestId('undo-stop'));
    expect(be.importCancel).toHaveBeenCalledWith(1);
    expect(await screen.findByTestId('undo-stopped')).toHaveTextContent('What it took back stays taken back');
    expect(screen.queryByTestId('undo-error')).toBeNull();
  });

  it('says so in the undo dialog when the undo cannot be stopped, and lets Stop be tried again', async () => {
    let report!: (p: RunProgress) => void;
    const ended = deferred<UndoReport>();
    const { be, u } = open({
      importUndo: (_id, onProgress) => {
        report = onProgress;
        return ended.promise;
      },
      importCancel: vi.fn(async () => {
        throw apiErr({ code: 'internal', message: 'the undo could not be reached' });
      }),
    });
    await u.click(within(await row(1)).getByTestId('history-undo'));
    await u.click(screen.getByTestId('undo-confirm'));
    report(runProgress({ batch_id: 1, phase: 'undoing', rows_done: 3, rows_total: 7 }));
    await u.click(await screen.findByTestId('undo-stop'));
    expect(be.importCancel).toHaveBeenCalledWith(1);
    const said = await screen.findByTestId('undo-stop-error');
    expect(said).toHaveAttribute('role', 'alert');
    expect(said).toHaveTextContent('Could not stop the undo: The undo could not be reached. It goes on.');
    expect(within(screen.getByTestId('undo-dialog')).getByTestId('undo-stop')).toBeEnabled();
  });

  it("says so in the import's row when a run stopped from the history cannot be stopped", async () => {
    let report!: (p: RunProgress) => void;
    const ended = deferred<UndoReport>();
    const { u } = open({
      importUndo: (_id, onProgress) => {
        report = onProgress;
        return ended.promise;
      },
      importCancel: vi.fn(async () => {
        throw apiErr({ code: 'internal', message: 'the undo could not be reached' });
      }),
    });
    await u.click(within(await row(1)).getByTestId('history-undo'));
    await u.click(screen.getByTestId('undo-confirm'));
    report(runProgress({ batch_id: 1, phase: 'undoing', rows_done: 3, rows_total: 7 }));
    await u.click(await screen.findByTestId('undo-close'));
    await waitFor(() => expect(screen.queryByTestId('undo-dialog')).toBeNull());
    const r = await row(1);
    expect(within(r).queryByTestId('history-cancel-error')).toBeNull();
    await u.click(within(r).getByTestId('history-cancel'));
    const said = await within(r).findByTestId('history-cancel-error');
    expect(said).toHaveAttribute('role', 'alert');
    expect(said).toHaveTextContent('Could not stop the undo: The undo could not be reached. It goes on.');
  });

  it('offers a batch whose undo was stopped part-way to be undone, not resumed', async () => {
    const partly = importBatch({ id: 8, status: 'interrupted', undo: { removed: 5, reverted: 0, kept: [], kept_count: 0 } });
    const { u } = open({ importHistory: async () => [partly] });
    const r = await row(8);
    expect(within(r).getByTestId('history-status')).toHaveTextContent('Undo stopped');
    expect(within(r).queryByTestId('history-resume')).toBeNull();
    await u.click(within(r).getByTestId('history-undo'));
    expect(await screen.findByTestId('undo-dialog')).toBeInTheDocument();
  });

  it('shows the leads an undo kept, and why, after its dialog was closed', async () => {
    const kept = [
      { lead_id: 501, name: 'Ada Lovelace', reason: 'kept: activities were logged on it since the import' },
      { lead_id: 502, name: null, reason: 'edited by Eve Editor after the import (company)' },
    ];
    const undone = importBatch({ id: 6, status: 'undone', undo: { removed: 7, reverted: 0, kept: [], kept_count: 2 } });
    const { be, u } = open({
      importHistory: async () => [undone],
      importBatch: async () => ({ ...undone, undo: { ...undone.undo!, kept } }),
    });
    await u.click(within(await row(6)).getByTestId('history-kept'));
    const dialog = await screen.findByTestId('kept-dialog');
    await waitFor(() => expect(within(dialog).getAllByTestId('kept-lead')).toHaveLength(2));
    const [ada, hidden] = within(dialog).getAllByTestId('kept-lead');
    expect(ada).toHaveTextContent('Ada Lovelace');
    expect(ada).toHaveTextContent('activities were logged');
    // A lead the reader may not see (or one deleted since) is named by its number only.
    expect(hidden).toHaveTextContent('Lead 502');
    expect(be.importBatch).toHaveBeenCalledWith(6);
    await u.click(within(dialog).getByRole('button', { name: 'Ada Lovelace' }));
    expect(nav.view).toEqual({ name: 'lead', id: 501 });
  });

  it('names a kept lead the reader can no longer open as plain text, not as a link to a page not found', async () => {
    const kept = [
      { lead_id: 501, name: 'Ada Lovelace', reason: 'kept: activities were logged on it since the import' },
      { lead_id: 502, name: null, reason: 'edited by Eve Editor after the import (company)' },
    ];
    const undone = importBatch({ id: 6, status: 'undone', undo: { removed: 7, reverted: 0, kept: [], kept_count: 2 } });
    const { u } = open({
      importHistory: async () => [undone],
      importBatch: async () => ({ ...undone, undo: { ...undone.undo!, kept } }),
    });
    await u.click(within(await row(6)).getByTestId('history-kept'));
    const dialog = await screen.findByTestId('kept-dialog');
    await waitFor(() => expect(within(dialog).getAllByTestId('kept-lead')).toHaveLength(2));
    const [ada, gone] = within(dialog).getAllByTestId('kept-lead');
    expect(within(ada).getByRole('button', { name: 'Ada Lovelace' })).toBeInTheDocument();
    expect(gone).toHaveTextContent('Lead 502');
    expect(within(gone).queryByRole('button')).toBeNull();
    expect(within(gone).queryByRole('link')).toBeNull();
  });

  it('names the file in the names of the buttons of its row', async () => {
    const ended = deferred<UndoReport>();
    const { u } = open({
      importHistory: async () => [
        importBatch({ id: 3, file_name: 'partner.csv', status: 'cancelled', rows_done: 40, rows_total: 100, counts: counts({ create_active: 38, reject: 2 }) }),
        importBatch({ id: 2, file_name: 'leads.csv' }),
      ],
      importUndo: () => ended.promise,
    });
    const r = await row(3);
    expect(within(r).getByRole('button', { name: 'Resume the import of partner.csv' })).toBe(within(r).getByTestId('history-resume'));
    expect(within(r).getByRole('button', { name: 'Undo the import of partner.csv' })).toBe(within(r).getByTestId('history-undo'));
    expect(within(r).getByRole('button', { name: 'Download the rejected rows of partner.csv' })).toBe(
      within(r).getByTestId('history-download-rejects'),
    );
    await u.click(within(await row(2)).getByRole('button', { name: 'Undo the import of leads.csv' }));
    await u.click(await screen.findByTestId('undo-confirm'));
    await u.click(await screen.findByTestId('undo-close'));
    expect(await within(await row(2)).findByRole('button', { name: 'Stop the undo of leads.csv' })).toBe(
      within(await row(2)).getByTestId('history-cancel'),
    );
  });

  it('resumes a cancelled import and shows it completed', async () => {
    const { be, u } = open({
      importHistory: vi
        .fn<Backend['importHistory']>()
        .mockResolvedValueOnce([importBatch({ id: 3, status: 'cancelled', rows_done: 3, rows_total: 8 })])
        .mockResolvedValue([importBatch({ id: 3, status: 'completed', rows_done: 8, rows_total: 8 })]),
      importResume: async (id, onProgress) => {
        onProgress(runProgress({ batch_id: id, rows_done: 8, rows_total: 8 }));
        return importBatch({ id, status: 'completed', rows_done: 8, rows_total: 8 });
      },
    });
    await u.click(within(await row(3)).getByTestId('history-resume'));
    await waitFor(() => expect(be.importResume).toHaveBeenCalledOnce());
    expect(be.importResume.mock.calls[0][0]).toBe(3);
    await waitFor(() => expect(within(screen.getAllByTestId('history-row')[0]).getByTestId('history-status')).toHaveTextContent('Completed'));
    expect(toasts.items[0].message).toMatch(/^Resumed messe-2024\.xlsx/);
  });

  it('shows a resume started here with its pace, and lets it be cancelled', async () => {
    let report!: (p: RunProgress) => void;
    const ended = deferred<ImportBatch>();
    const { be, u } = open({
      importHistory: async () => [importBatch({ id: 3, status: 'cancelled', rows_done: 3, rows_total: 8 })],
      importResume: (_id, onProgress) => {
        report = onProgress;
        return ended.promise;
      },
      importCancel: vi.fn(async () => true),
    });
    await u.click(within(await row(3)).getByTestId('history-resume'));
    report(runProgress({ batch_id: 3, rows_done: 4, rows_total: 8, rows_per_second: 120, eta_seconds: 4 }));
    const r = await row(3);
    await waitFor(() => expect(within(r).getByTestId('history-pace')).toHaveTextContent('120 rows/s · about 4 s left'));
    await u.click(within(r).getByTestId('history-cancel'));
    expect(be.importCancel).toHaveBeenCalledWith(3);
    ended.resolve(importBatch({ id: 3, status: 'cancelled', rows_done: 4, rows_total: 8 }));
    await waitFor(() => expect(screen.queryByTestId('history-cancel')).toBeNull());
  });

  it('says a resume stopped with the Stop button was cancelled, not resumed', async () => {
    const ended = deferred<ImportBatch>();
    const { u } = open({
      importHistory: async () => [importBatch({ id: 3, status: 'cancelled', rows_done: 3, rows_total: 8 })],
      importResume: () => ended.promise,
      importCancel: vi.fn(async () => true),
    });
    await u.click(within(await row(3)).getByTestId('history-resume'));
    await u.click(await within(await row(3)).findByTestId('history-cancel'));
    ended.resolve(importBatch({ id: 3, status: 'cancelled', rows_done: 5, rows_total: 8, counts: counts({ create_active: 5 }) }));
    await waitFor(() => expect(toasts.items).toHaveLength(1));
    expect(toasts.items[0].message).toBe('The import of messe-2024.xlsx was cancelled again after 5 rows: 5 created (active)');
    expect(toasts.items[0].kind).not.toBe('success');
  });

  it('saves the rejected rows of an import in the Downloads folder', async () => {
    const { be, u } = open();
    await u.click(within(await row(1)).getByTestId('history-download-rejects'));
    await waitFor(() => expect(be.importSaveRejects).toHaveBeenCalledOnce());
    expect(be.importSaveRejects).toHaveBeenCalledWith(1, 'messe-2024.xlsx.rejects.csv');
    await waitFor(() =>
      expect(toasts.items.map((t) => t.message)).toContain('Saved to /home/ada/Downloads/messe-2024.xlsx.rejects.csv'),
    );
  });

  it('marks the import that is running, with its progress, while the wizard imports', async () => {
    let report!: (p: RunProgress) => void;
    const ended = deferred<ImportBatch>();
    let running = false;
    const be = mockBackend({
      importStart: (_id, _plan, onProgress) => {
        running = true;
        report = onProgress;
        return ended.promise;
      },
      importHistory: async () => [
        ...(running ? [importBatch({ id: 42, file_name: 'messe.csv', status: 'running', rows_done: 0, rows_total: 1000, counts: counts() })] : []),
        importBatch(),
      ],
    });
    nav.go({ name: 'imports' });
    render(ImportsPage);
    const u = userEvent.setup();
    await u.upload(screen.getByTestId('import-file-input'), [csvFile()]);
    await waitFor(() => expect(screen.getByTestId('import-next')).toBeEnabled());
    await u.click(screen.getByTestId('import-next'));
    await u.click(await screen.findByTestId('import-check'));
    await u.click(await screen.findByTestId('import-start'));
    report(runProgress({ batch_id: 42, rows_done: 250, rows_total: 1000, counts: counts({ create_active: 250 }) }));

    const r = await row(42);
    expect(within(r).getByTestId('history-running')).toHaveTextContent('Importing 25%');
    expect(within(r).getByTestId('history-rows')).toHaveTextContent('250 / 1,000');
    expect(within(r).getByTestId('history-counts')).toHaveTextContent('250 created (active)');
    // Nothing else can be undone while it runs.
    expect(within(await row(1)).getByTestId('history-undo')).toBeDisabled();

    ended.resolve(importBatch({ id: 42, file_name: 'messe.csv', status: 'completed', rows_done: 1000, rows_total: 1000 }));
    await screen.findByTestId('import-report-step');
    await waitFor(() => expect(be.importHistory.mock.calls.length).toBeGreaterThanOrEqual(3));
    expect(within(await row(1)).getByTestId('history-undo')).toBeEnabled();
  });
});
