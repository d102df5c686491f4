import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { apiErr, deferred, importReport, mockBackend } from '../../test/fixtures';
import type { Backend } from '../api';
import type { CsvImportReport, ImportProgress, RowError } from '../types';
import { leadFilters } from './filters.svelte';
import LeadList from './LeadList.svelte';

const CSV = 'first_name,last_name,email\nAda,Lovelace,ada@example.com\nAlan,Turing,alan@example.com\n';

function csvFile(name = 'leads.csv', text = CSV): File {
  return new File([text], name, { type: 'text/csv' });
}

/** The leads list of an Editor, with the import dialog opened from its button. */
async function openImport(over: Partial<Backend> = {}, canWrite = true) {
  const be = mockBackend(over);
  render(LeadList, { canWrite, onopen: vi.fn(), onnew: vi.fn() });
  const u = userEvent.setup();
  await u.click(await screen.findByTestId('import-leads'));
  const dialog = await screen.findByTestId('import-dialog');
  return { be, u, dialog };
}

async function pickAndImport(u: ReturnType<typeof userEvent.setup>, file = csvFile()) {
  await u.upload(screen.getByTestId('import-file'), file);
  await u.click(screen.getByTestId('import-submit'));
}

describe('ImportDialog', () => {
  it('needs a file first, shows its name and size, and sends its bytes in the default mode, all or nothing', async () => {
    const { be, u, dialog } = await openImport();
    expect(dialog.tagName).toBe('DIALOG');
    expect(screen.getByTestId('import-submit')).toBeDisabled();
    expect(screen.getByTestId('import-mode-all_or_nothing')).toBeChecked();
    expect(screen.getByTestId('import-mode-skip_invalid')).not.toBeChecked();
    expect(screen.getByTestId('import-mode-keep_invalid')).not.toBeChecked();
    expect(within(dialog).getByRole('radio', { name: 'Keep invalid emails and phones as Drafts to fix later' })).toBe(
      screen.getByTestId('import-mode-keep_invalid'),
    );
    expect(within(dialog).getByRole('radio', { name: 'All or nothing' })).toHaveAccessibleDescription(
      /if any row has a problem, nothing is imported/,
    );

    await u.upload(screen.getByTestId('import-file'), csvFile());
    expect(screen.getByTestId('import-file-name')).toHaveTextContent(`leads.csv ${CSV.length} bytes`);
    expect(screen.getByTestId('import-submit')).toBeEnabled();
    await u.click(screen.getByTestId('import-submit'));

    await screen.findByTestId('import-result');
    expect(be.importCsv).toHaveBeenCalledOnce();
    const [name, bytes, mode, onProgress] = be.importCsv.mock.calls[0];
    expect(name).toBe('leads.csv');
    expect(new TextDecoder().decode(bytes)).toBe(CSV);
    expect(mode).toBe('all_or_nothing');
    expect(onProgress).toBeTypeOf('function');
  });

  it('passes the chosen mode: keep invalid emails and phones, and skip invalid rows', async () => {
    const { be, u } = await openImport();
    await u.click(screen.getByTestId('import-mode-keep_invalid'));
    await pickAndImport(u);
    await screen.findByTestId('import-result');
    expect(be.importCsv.mock.calls[0][2]).toBe('keep_invalid');

    await u.click(screen.getByTestId('import-another'));
    // The mode chosen stays chosen for the next file.
    expect(screen.getByTestId('import-mode-keep_invalid')).toBeChecked();
    await u.click(screen.getByTestId('import-mode-skip_invalid'));
    await pickAndImport(u, csvFile('more.csv'));
    await screen.findByTestId('import-result');
    expect(be.importCsv.mock.calls[1][0]).toBe('more.csv');
    expect(be.importCsv.mock.calls[1][2]).toBe('skip_invalid');
  });

  it('shows the progress the backend reports, and cannot be closed until the import ends', async () => {
    const answer = deferred<CsvImportReport>();
    let report: (p: ImportProgress) => void = () => {};
    const { u } = await openImport({
      importCsv: (_name, _bytes, _mode, onProgress) => {
        report = onProgress;
        return answer.promise;
      },
    });
    await pickAndImport(u);

    const progress = await screen.findByTestId('import-progress');
    await waitFor(() => expect(progress).toHaveTextContent('Reading the file…'));
    report({ phase: 'validating', done: 500, total: 2000 });
    await waitFor(() => expect(progress).toHaveTextContent('Checking rows…'));
    expect(progress).toHaveTextContent('500 of 2,000 rows · 25%');
    const bar = within(progress).getByRole('progressbar');
    expect(bar.tagName).toBe('PROGRESS');
    expect(bar).toHaveAttribute('max', '2000');
    expect((bar as HTMLProgressElement).value).toBe(500);

    report({ phase: 'writing', done: 1500, total: 2000 });
    await waitFor(() => expect(progress).toHaveTextContent('Importing…'));
    expect(progress).toHaveTextContent('1,500 of 2,000 rows · 75%');
    expect(screen.getByTestId('import-submit')).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Cancel' })).toBeDisabled();

    // Escape and the browser's cancel do not close it mid-import.
    await u.keyboard('{Escape}');
    screen.getByTestId('import-dialog').dispatchEvent(new Event('cancel', { cancelable: true }));
    expect(screen.getByTestId('import-dialog')).toBeInTheDocument();

    answer.resolve(importReport());
    expect(await screen.findByTestId('import-result')).toBeInTheDocument();
    expect(screen.queryByTestId('import-progress')).toBeNull();
    await u.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByTestId('import-dialog')).toBeNull());
  });

  it('shows the counts: imported, of which Drafts, kept with invalid values, rejected', async () => {
    const rejected: RowError[] = [{ line: 5, errors: [{ field: 'first_name', message: 'is required' }] }];
    const { u } = await openImport({
      importCsv: async () =>
        importReport({
          rows: 12,
          rejected,
          rejects_csv: 'line,errors\n',
          outcome: { created: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], drafts: 4, kept_invalid: 3, batch_id: 7 },
        }),
    });
    await u.click(screen.getByTestId('import-mode-skip_invalid'));
    await pickAndImport(u);

    const result = await screen.findByTestId('import-result');
    expect(result).toHaveTextContent('Imported 11 leads from leads.csv.');
    expect(screen.getByTestId('import-count-rows')).toHaveTextContent('12');
    expect(screen.getByTestId('import-count-created')).toHaveTextContent('11');
    expect(screen.getByTestId('import-count-drafts')).toHaveTextContent('4');
    expect(screen.getByTestId('import-count-kept')).toHaveTextContent('3');
    expect(screen.getByTestId('import-count-rejected')).toHaveTextContent('1');
    expect(screen.queryByTestId('import-nothing')).toBeNull();
    expect(result).toHaveFocus();
  });

  it('lists the first 20 rejected rows with their line and reasons, fields named as people read them', async () => {
    const rejected: RowError[] = [
      {
        line: 3,
        errors: [
          { field: 'emails.1', message: '"bob@" is not a valid email address' },
          { field: 'first_name', message: 'is longer than 200 characters' },
        ],
      },
      ...Array.from({ length: 24 }, (_, i) => ({ line: 10 + i, errors: [{ field: 'owner', message: 'no user is named "zed"' }] })),
    ];
    const { u } = await openImport({
      importCsv: async () => importReport({ rows: 40, rejected, rejects_csv: 'x', outcome: { created: [], batch_id: null } }),
    });
    await pickAndImport(u);

    const rows = await screen.findAllByTestId('import-rejected-row');
    expect(rows).toHaveLength(20);
    expect(rows[0]).toHaveTextContent('Line 3');
    expect(rows[0]).toHaveTextContent('Email 2: "bob@" is not a valid email address; First name: is longer than 200 characters');
    expect(rows[1]).toHaveTextContent('Line 10');
    expect(rows[1]).toHaveTextContent('Owner: no user is named "zed"');
    expect(rows[19]).toHaveTextContent('Line 28');
    expect(screen.getByTestId('import-result')).toHaveTextContent('And 5 more rows');
  });

  it('says clearly when invalid rows stopped the whole file, and offers the other modes', async () => {
    const rejected: RowError[] = [
      { line: 2, errors: [{ field: 'emails.0', message: '"ada@" is not a valid email address' }] },
      { line: 4, errors: [{ field: 'phones.0', message: '"12" is not a valid phone number' }] },
    ];
    const { be, u } = await openImport({
      importCsv: vi
        .fn<Backend['importCsv']>()
        .mockResolvedValueOnce(
          importReport({ rows: 5, rejected, rejects_csv: 'x', outcome: { created: [], drafts: 0, batch_id: null } }),
        )
        .mockResolvedValueOnce(importReport({ rows: 5, outcome: { created: [1, 2, 3, 4, 5], drafts: 2, kept_invalid: 2 } })),
    });
    await pickAndImport(u);

    const nothing = await screen.findByTestId('import-nothing');
    expect(nothing).toHaveTextContent('Nothing was imported: 2 rows need fixing.');
    expect(nothing).toHaveTextContent('one row with a problem stops the whole file');
    expect(screen.getByTestId('import-count-created')).toHaveTextContent('0');
    // Both other modes are offered: these faults are emails and phones only, and other rows are valid.
    expect(screen.getByTestId('import-retry-skip_invalid')).toBeInTheDocument();
    await u.click(screen.getByTestId('import-retry-keep_invalid'));

    await waitFor(() => expect(be.importCsv).toHaveBeenCalledTimes(2));
    expect(be.importCsv.mock.calls[1][0]).toBe('leads.csv');
    expect(be.importCsv.mock.calls[1][2]).toBe('keep_invalid');
    expect(await screen.findByTestId('import-result')).toHaveTextContent('Imported 5 leads');
  });

  it('saves the rejected rows as <file>.rejects.csv from a blob holding the rejects CSV', async () => {
    const rejectsCsv = 'line,errors,first_name,email\n3,"email: ""bob@"" is not a valid email address",Bob,bob@\n';
    const { u } = await openImport({
      importCsv: async (fileName) =>
        importReport({
          file_name: fileName,
          rejected: [{ line: 3, errors: [{ field: 'emails.0', message: 'is not valid' }] }],
          rejects_csv: rejectsCsv,
          outcome: { created: [1], batch_id: 4 },
        }),
    });
    let blob: Blob | null = null;
    const createObjectURL = vi.fn((b: Blob) => {
      blob = b;
      return 'blob:rejects';
    });
    const revokeObjectURL = vi.fn();
    Object.assign(URL, { createObjectURL, revokeObjectURL });
    const clicked: HTMLAnchorElement[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this);
    });

    await u.click(screen.getByTestId('import-mode-skip_invalid'));
    await pickAndImport(u, csvFile('march.csv'));
    await u.click(await screen.findByTestId('import-download-rejects'));

    expect(createObjectURL).toHaveBeenCalledOnce();
    expect(blob).toBeInstanceOf(Blob);
    expect(blob!.type).toBe('text/csv;charset=utf-8');
    expect(await blob!.text()).toBe(rejectsCsv);
    expect(clicked).toHaveLength(1);
    expect(clicked[0].download).toBe('march.csv.rejects.csv');
    expect(clicked[0].getAttribute('href')).toBe('blob:rejects');
    // The link is gone once used.
    expect(clicked[0].isConnected).toBe(false);
  });

  it('shows an error from the backend in the dialog, keeping the file to try again', async () => {
    const { u } = await openImport({
      importCsv: async () => {
        throw apiErr({
          code: 'validation',
          message:
            'the file is not text in a supported encoding (UTF-8, UTF-16 or Windows-1252); save it as CSV UTF-8 and try again',
        });
      },
    });
    await pickAndImport(u);

    const error = await screen.findByTestId('import-error');
    expect(error).toHaveTextContent('Could not import leads.csv: The file is not text in a supported encoding');
    expect(error).toHaveAttribute('data-code', 'validation');
    expect(error).toHaveAttribute('role', 'alert');
    expect(screen.getByTestId('import-dialog')).toBeInTheDocument();
    expect(screen.getByTestId('import-file-name')).toHaveTextContent('leads.csv');
    expect(screen.getByTestId('import-submit')).toBeEnabled();
    expect(screen.queryByTestId('import-result')).toBeNull();
  });

  it('takes a CSV file dropped on the dialog, and refuses a file that is not CSV', async () => {
    const { be, u, dialog } = await openImport();
    const xlsx = new File(['PK'], 'leads.xlsx', { type: 'application/vnd.ms-excel' });
    const over = await fireEvent.dragOver(dialog, { dataTransfer: { types: ['Files'], files: [xlsx] } });
    expect(over).toBe(false); // taken: the webview must not open the file itself
    await fireEvent.drop(dialog, { dataTransfer: { types: ['Files'], files: [xlsx] } });
    expect(await screen.findByTestId('import-error')).toHaveTextContent('“leads.xlsx” is not a CSV file');
    expect(screen.getByTestId('import-submit')).toBeDisabled();

    await fireEvent.drop(dialog, { dataTransfer: { types: ['Files'], files: [csvFile('dropped.tsv', 'first_name\tlast_name\nA\tB\n')] } });
    expect(await screen.findByTestId('import-file-name')).toHaveTextContent('dropped.tsv');
    expect(screen.queryByTestId('import-error')).toBeNull();
    await u.click(screen.getByTestId('import-submit'));
    await screen.findByTestId('import-result');
    expect(be.importCsv.mock.calls[0][0]).toBe('dropped.tsv');
  });

  it('refreshes the list and the suggestions after an import, then toasts it with a Show for leads to fix', async () => {
    const { be, u } = await openImport({
      importCsv: async (fileName) =>
        importReport({ file_name: fileName, rows: 3, outcome: { created: [1, 2, 3], drafts: 1, kept_invalid: 1 } }),
    });
    leadFilters.f.text = 'acme';
    await waitFor(() => expect(be.listLeads).toHaveBeenCalled());
    const lists = be.listLeads.mock.calls.length;
    const facets = be.leadFacets.mock.calls.length;

    await u.click(screen.getByTestId('import-mode-keep_invalid'));
    await pickAndImport(u, csvFile('fair.csv'));
    await screen.findByTestId('import-result');
    await waitFor(() => expect(be.listLeads.mock.calls.length).toBeGreaterThan(lists));
    expect(be.leadFacets.mock.calls.length).toBeGreaterThan(facets);

    await u.click(screen.getByTestId('import-done'));
    await waitFor(() => expect(screen.queryByTestId('import-dialog')).toBeNull());
    expect(screen.getByTestId('import-leads')).toHaveFocus();
    // (The toast region lives in the app shell; the store holds what it shows.)
    const { toasts } = await import('../toast.svelte');
    expect(toasts.items).toHaveLength(1);
    expect(toasts.items[0].message).toBe('Imported 3 leads from fair.csv · 1 to fix');
    expect(toasts.items[0].action?.label).toBe('Show');

    toasts.act(toasts.items[0].id);
    expect(leadFilters.f.needsFixing).toBe(true);
    expect(leadFilters.f.text).toBe('');
    await waitFor(() => expect(be.listLeads.mock.lastCall?.[0]).toMatchObject({ needs_fixing: true, text: '' }));
  });

  it('writes nothing to the list and toasts nothing when nothing was imported', async () => {
    const { be, u } = await openImport({
      importCsv: async () =>
        importReport({
          rejected: [{ line: 2, errors: [{ field: 'first_name', message: 'is required' }] }],
          rejects_csv: 'x',
          outcome: { created: [], batch_id: null },
        }),
    });
    await waitFor(() => expect(be.listLeads).toHaveBeenCalled());
    const lists = be.listLeads.mock.calls.length;
    await pickAndImport(u);
    expect(await screen.findByTestId('import-nothing')).toHaveTextContent('Nothing was imported: 1 row needs fixing.');
    // No other mode can save a row without a name: only the download is suggested.
    expect(screen.queryByTestId('import-retry-keep_invalid')).toBeNull();
    await u.click(screen.getByTestId('import-done'));
    const { toasts } = await import('../toast.svelte');
    expect(toasts.items).toHaveLength(0);
    expect(be.listLeads.mock.calls.length).toBe(lists);
  });

  it('is offered in the header and the empty list to writers only', async () => {
    mockBackend();
    const { unmount } = render(LeadList, { canWrite: true, onopen: vi.fn(), onnew: vi.fn() });
    const empty = await screen.findByTestId('leads-empty');
    expect(screen.getByTestId('import-leads')).toBeInTheDocument();
    await userEvent.setup().click(within(empty).getByRole('button', { name: /import a csv file/i }));
    expect(await screen.findByTestId('import-dialog')).toBeInTheDocument();
    unmount();

    render(LeadList, { canWrite: false, onopen: vi.fn(), onnew: vi.fn() });
    await screen.findByTestId('leads-empty');
    expect(screen.queryByTestId('import-leads')).toBeNull();
    expect(screen.queryByRole('button', { name: /import/i })).toBeNull();
  });
});
