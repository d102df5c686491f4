import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { apiErr, deferred, mockBackend, sessionFor } from '../../test/fixtures';
import { csvFile, ENGLISH_CSV, importBatch, importMock, runProgress, counts } from '../../test/importFixtures';
import { BackendError, type Backend } from '../api';
import { leadFilters, toQuery } from '../leads/filters.svelte';
import { nav } from '../nav.svelte';
import { session } from '../session.svelte';
import { toasts } from '../toast.svelte';
import type { ImportBatch, RunProgress, UndoReport } from '../types';
import ImportsPage from './ImportsPage.svelte';
import { importWizard } from './wizard.svelte';

type User = ReturnType<typeof userEvent.setup>;

function open(over: Partial<Backend> = {}) {
  const be = mockBackend(over);
  nav.go({ name: 'imports' });
  const view = render(ImportsPage);
  return { be, u: userEvent.setup(), view };
}

async function staged(n: number) {
  await waitFor(() => {
    const items = screen.getAllByTestId('import-staged-file');
    expect(items).toHaveLength(n);
    expect(items.every((li) => li.dataset.state !== 'staging')).toBe(true);
  });
}

/** Chooses the files and goes on to their mapping. */
async function toMapping(u: User, files: File[] = [csvFile()]) {
  await u.upload(screen.getByTestId('import-file-input'), files);
  await staged(files.length);
  await u.click(screen.getByTestId('import-next'));
  return screen.findByTestId('import-mapping-step');
}

/** Applies the saved "Messe export" template on the mapping step. */
async function applyFairTemplate(u: User) {
  const select = await screen.findByTestId('import-template-select');
  await waitFor(() => expect(within(select).getByRole('option', { name: 'Messe export' })).toBeInTheDocument());
  await u.selectOptions(select, 'Messe export');
  await u.click(screen.getByTestId('import-template-apply'));
}

/** Through the mapping as suggested, to the dry run. */
async function toDryRun(u: User, files?: File[]) {
  await toMapping(u, files);
  await u.click(screen.getByTestId('import-check'));
  return screen.findByTestId('import-dryrun-step');
}

const count = (testid: string) => screen.getByTestId(`${testid}-n`).textContent;

describe('Import wizard', () => {
  it('sets each of two columns with one header on its own, and names a column without a header by its place', async () => {
    const { be, u } = open();
    await u.upload(screen.getByTestId('import-file-input'), [
      csvFile('twice.csv', 'Vorname;E-Mail;E-Mail;\nAnna;a@x.de;b@x.de;Halle 3\n'),
    ]);
    await staged(1);
    expect(screen.getByTestId('import-staged-file')).toHaveTextContent('Columns: Vorname · E-Mail · E-Mail · Column 4');
    await u.click(screen.getByTestId('import-next'));
    await screen.findByTestId('import-mapping-step');
    const emails = screen.getAllByTestId('map-E-Mail');
    expect(emails).toHaveLength(2);
    await u.selectOptions(emails[1], 'notes');
    expect(emails[0]).toHaveValue('email');
    expect(emails[1]).toHaveValue('notes');
    expect(screen.getAllByTestId('mapping-row')[3]).toHaveTextContent('Column 4 (no header)');
    // A long header is cut short on screen: its whole name is in the title.
    expect(within(screen.getAllByTestId('mapping-row')[0]).getByTitle('Vorname')).toHaveTextContent('Vorname');
    expect(screen.getByTestId('map-Column 4')).toHaveValue('ignore');
    expect(screen.getByTestId('import-ignored-warning')).toHaveTextContent('not imported: “Column 4”');
    // What is sent is what is shown: each column of the repeated header with its own target.
    await u.click(screen.getByTestId('import-check'));
    await screen.findByTestId('import-dryrun-step');
    const plan = be.importDryRun.mock.calls[0][1];
    expect(plan.mapping.map((m: { target: string }) => m.target)).toEqual(['first_name', 'email', 'notes', 'ignore']);
  });

  it('reads phone numbers in the country the file shows, and in the one typed instead', async () => {
    const { be, u } = open(importMock({ phoneRegions: { 'febrl.csv': 'AU' } }));
    await toMapping(u, [csvFile('febrl.csv', 'first_name,last_name,phone\nKyra,Webb,0459 024 058\n')]);
    const region = screen.getByTestId('import-phone-region');
    expect(region).toHaveValue('AU');
    expect(screen.getByTestId('import-phone-region-hint')).toHaveTextContent(
      'Australia: most of the file’s numbers are AU numbers, not valid in the default region (Settings).',
    );
    await u.click(screen.getByTestId('import-check'));
    await screen.findByTestId('import-dryrun-step');
    expect(be.importDryRun.mock.calls[0][1].phone_region).toBe('AU');

    await u.click(screen.getByTestId('import-back'));
    await screen.findByTestId('import-mapping-step');
    await u.clear(screen.getByTestId('import-phone-region'));
    await u.type(screen.getByTestId('import-phone-region'), 'nz');
    expect(screen.getByTestId('import-phone-region-hint')).toHaveTextContent(
      'empty: the default region (Settings: United States)',
    );
    await u.click(screen.getByTestId('import-check'));
    await screen.findByTestId('import-dryrun-step');
    expect(be.importDryRun.mock.calls[1][1].phone_region).toBe('NZ');
  });

  it('reads the country of the numbers again when the user maps the phone column', async () => {
    const { be, u } = open(importMock({ phoneRegions: { 'fair.csv': 'AU' } }));
    await toMapping(u, [csvFile('fair.csv', 'first_name,last_name,Rückruf\nKyra,Webb,0459 024 058\n')]);
    const hint = screen.getByTestId('import-phone-region-hint');
    expect(screen.getByTestId('map-Rückruf')).not.toHaveValue('phone');
    expect(screen.getByTestId('import-phone-region')).toHaveValue('');
    // Left empty, the field says which region that is.
    expect(screen.getByTestId('import-phone-region')).toHaveAttribute('placeholder', 'Default: US');
    expect(hint).toHaveTextContent('empty: the default region (Settings: United States)');

    await u.selectOptions(screen.getByTestId('map-Rückruf'), 'phone');
    await waitFor(() => expect(screen.getByTestId('import-phone-region')).toHaveValue('AU'));
    expect(hint).toHaveTextContent('Australia: most of the file’s numbers are AU numbers');
    const asked = be.importPhoneRegion.mock.calls[0];
    expect(asked[2].map((m: { target: string }) => m.target)).toEqual(['first_name', 'last_name', 'phone']);
    await u.click(screen.getByTestId('import-check'));
    await screen.findByTestId('import-dryrun-step');
    expect(be.importDryRun.mock.calls[0][1].phone_region).toBe('AU');

    // Back to the suggestion: the preview's answer again, without asking.
    await u.click(screen.getByTestId('import-back'));
    await screen.findByTestId('import-mapping-step');
    await u.selectOptions(screen.getByTestId('map-Rückruf'), 'notes');
    await waitFor(() => expect(screen.getByTestId('import-phone-region')).toHaveValue(''));
    expect(be.importPhoneRegion).toHaveBeenCalledTimes(1);
    await u.click(screen.getByTestId('import-check'));
    await screen.findByTestId('import-dryrun-step');
    expect(be.importDryRun.mock.calls[1][1].phone_region).toBeNull();
  });

  it('reads the country of the numbers of a file added on a step back with the mapping kept', async () => {
    const { be, u } = open(importMock({ phoneRegions: { 'fair.csv': 'AU', 'fair2.csv': 'NZ' } }));
    const text = 'first_name,last_name,Rückruf\nKyra,Webb,0459 024 058\n';
    await toMapping(u, [csvFile('fair.csv', text)]);
    await u.selectOptions(screen.getByTestId('map-Rückruf'), 'phone');
    await waitFor(() => expect(screen.getByTestId('import-phone-region')).toHaveValue('AU'));
    await u.click(screen.getByTestId('import-back'));
    await screen.findByTestId('import-files-step');
    await u.upload(screen.getByTestId('import-file-input'), [csvFile('fair2.csv', text)]);
    await staged(2);
    await u.click(screen.getByTestId('import-next'));
    await screen.findByTestId('import-mapping-step');
    expect(screen.getByTestId('map-Rückruf')).toHaveValue('phone');
    await u.click(screen.getByTestId('import-check'));
    await screen.findByTestId('import-dryrun-step');
    const sent = be.importDryRun.mock.calls.map(([, plan]) => plan.phone_region);
    expect(sent).toEqual(['AU', 'NZ']);
  });

  it('sends no phone country when the file shows none, so the default region applies', async () => {
    const { be, u } = open();
    await toDryRun(u);
    expect(be.importDryRun.mock.calls[0][1].phone_region).toBeNull();
  });

  it('imports into a campaign: one of a campaign-limited user’s own, or any named by one who sees all', async () => {
    session.current = sessionFor('editor', { all_campaigns: false, campaigns: ['Spring Expo', 'Autumn'] });
    importWizard.reset();
    const limited = open();
    await limited.u.upload(screen.getByTestId('import-file-input'), [csvFile('messe.csv')]);
    await staged(1);
    await limited.u.click(screen.getByTestId('import-next'));
    const choice = await screen.findByTestId('import-campaign');
    expect([...choice.querySelectorAll('option')].map((o) => o.value)).toEqual(['Spring Expo', 'Autumn']);
    expect(choice).toHaveValue('Spring Expo');
    await limited.u.selectOptions(choice, 'Autumn');
    await limited.u.click(screen.getByTestId('import-check'));
    await screen.findByTestId('import-dryrun-step');
    expect(limited.be.importDryRun.mock.calls[0][1].campaign).toBe('Autumn');
    limited.view.unmount();

    // An Administrator sees every campaign, whatever their own list says.
    session.current = sessionFor('administrator', { all_campaigns: false, campaigns: ['Autumn'] });
    importWizard.reset();
    const all = open();
    await toDryRun(all.u);
    expect(all.be.importDryRun.mock.calls[0][1].campaign).toBeNull();
    await all.u.click(screen.getByTestId('import-back'));
    await all.u.type(await screen.findByTestId('import-campaign'), 'Winter fair');
    await all.u.click(screen.getByTestId('import-check'));
    await screen.findByTestId('import-dryrun-step');
    expect(all.be.importDryRun.mock.calls[1][1].campaign).toBe('Winter fair');
  });

  it('lets only an Administrator import without the duplicate check', async () => {
    for (const role of ['editor', 'administrator'] as const) {
      session.current = sessionFor(role);
      importWizard.reset();
      const { u, view } = open();
      await u.upload(screen.getByTestId('import-file-input'), [csvFile('messe.csv')]);
      await staged(1);
      await u.click(screen.getByTestId('import-next'));
      const dedup = await screen.findByTestId('import-dedup');
      expect(dedup).toBeChecked();
      if (role === 'editor') {
        expect(dedup).toBeDisabled();
        expect(screen.getByTestId('import-dedup-hint')).toHaveTextContent('Only an Administrator');
      } else {
        await u.click(dedup);
        expect(dedup).not.toBeChecked();
        expect(screen.queryByTestId('import-dedup-hint')).toBeNull();
      }
      view.unmount();
    }
  });

  it('walks a German semicolon file through files, mapping, dry run, run and report', async () => {
    const { be, u } = open();
    const steps = screen.getByTestId('wizard-steps');
    expect(within(steps).getByTestId('wizard-step-files')).toHaveAttribute('aria-current', 'step');
    expect(screen.getByTestId('import-next')).toBeDisabled();

    await u.upload(screen.getByTestId('import-file-input'), [csvFile('messe.csv')]);
    await staged(1);
    const file = screen.getByTestId('import-staged-file');
    expect(within(file).getByTestId('detected-format')).toHaveTextContent('CSV');
    expect(within(file).getByTestId('detected-encoding')).toHaveTextContent('UTF-8');
    expect(within(file).getByTestId('detected-delimiter')).toHaveTextContent('Semicolon (;)');
    // A title line sits above the header.
    expect(within(file).getByTestId('detected-header-line')).toHaveTextContent('Line 2');
    expect(be.importStageFile).toHaveBeenCalledOnce();
    const [name, bytes] = be.importStageFile.mock.calls[0];
    expect(name).toBe('messe.csv');
    expect(new TextDecoder().decode(bytes)).toContain('Vorname;Nachname;Firma;E-Mail');

    await u.click(screen.getByTestId('import-next'));
    await screen.findByTestId('import-mapping-step');
    expect(within(steps).getByTestId('wizard-step-mapping')).toHaveAttribute('aria-current', 'step');
    // The backend's suggestions are preselected; the column it knows nothing of is ignored, and said so.
    expect(screen.getByTestId('map-Vorname')).toHaveValue('first_name');
    expect(screen.getByTestId('map-E-Mail')).toHaveValue('email');
    expect(screen.getByTestId('map-Kundennummer')).toHaveValue('external_ref');
    expect(screen.getByTestId('map-Interne Nr')).toHaveValue('ignore');
    expect(screen.getByTestId('import-ignored-warning')).toHaveTextContent('One column is not imported: “Interne Nr”');
    const vorname = screen.getAllByTestId('mapping-row')[0];
    expect(vorname).toHaveTextContent('Anna');
    expect(vorname).toHaveTextContent('Jonas');
    expect(vorname).toHaveTextContent('Petra');
    // Defaults: bulk import, named after the file, duplicates checked, invalid values rejected.
    expect(screen.getByTestId('import-channel')).toHaveValue('bulk_import');
    expect(screen.getByTestId('import-source-detail')).toHaveValue('messe.csv');
    expect(screen.getByTestId('import-dedup')).toBeChecked();
    expect(screen.getByTestId('import-keep-invalid')).not.toBeChecked();

    // Changing targets changes the plan that is checked.
    await u.selectOptions(screen.getByTestId('map-Interne Nr'), 'notes');
    await u.selectOptions(screen.getByTestId('map-Kundennummer'), 'ignore');
    expect(screen.getByTestId('import-ignored-warning')).toHaveTextContent('“Kundennummer”');
    await u.clear(screen.getByTestId('import-source-detail'));
    await u.type(screen.getByTestId('import-source-detail'), 'Messe Hannover');
    await u.click(screen.getByTestId('import-check'));

    await screen.findByTestId('import-dryrun-step');
    expect(be.importDryRun).toHaveBeenCalledOnce();
    const [fileId, plan] = be.importDryRun.mock.calls[0];
    expect(fileId).toBe((await be.importStageFile.mock.results[0].value).file_id);
    expect(plan.mapping).toContainEqual({ column: 'Interne Nr', target: 'notes' });
    expect(plan.mapping).toContainEqual({ column: 'Kundennummer', target: 'ignore' });
    expect(plan.mapping).toContainEqual({ column: 'Vorname', target: 'first_name' });
    expect(plan.mapping).toHaveLength(10);
    expect(plan).toMatchObject({
      sheet: null,
      key: null,
      source: 'bulk_import',
      source_detail: 'Messe Hannover',
      template: null,
      dedup: true,
      keep_invalid: false,
      replace: false,
    });

    // What every row would do.
    expect(count('dryrun-count-create_active')).toBe('2');
    expect(count('dryrun-count-create_draft')).toBe('2');
    expect(count('dryrun-count-update')).toBe('0');
    expect(count('dryrun-count-unchanged')).toBe('1');
    expect(count('dryrun-count-enrich')).toBe('1');
    expect(count('dryrun-count-review')).toBe('1');
    expect(count('dryrun-count-reject')).toBe('1');
    const rows = screen.getAllByTestId('dryrun-row');
    expect(rows).toHaveLength(8);
    // Rejects first, with their reasons.
    expect(rows[0]).toHaveAttribute('data-action', 'reject');
    expect(rows[0]).toHaveTextContent('Max Mustermann');
    expect(within(rows[0]).getByTestId('dryrun-row-errors')).toHaveTextContent(
      'Email 1: "max@mustermann" is not a valid email address',
    );
    // A review row shows its evidence; a chip filters by its outcome.
    await u.click(screen.getByTestId('dryrun-count-review'));
    expect(screen.getByTestId('dryrun-count-review')).toHaveAttribute('aria-pressed', 'true');
    const [review] = screen.getAllByTestId('dryrun-row');
    expect(screen.getAllByTestId('dryrun-row')).toHaveLength(1);
    expect(review).toHaveTextContent('Jonas Webber');
    expect(within(review).getByTestId('dryrun-row-evidence')).toHaveTextContent('last name: similar (Webber / Weber)');

    const start = screen.getByTestId('import-start');
    // The unchanged row writes nothing, the rejected one is left out: 6 of the 8 rows.
    expect(start).toHaveTextContent('Import 6 rows');
    await u.click(start);

    const report = await screen.findByTestId('import-report-step');
    expect(within(steps).getByTestId('wizard-step-report')).toHaveAttribute('aria-current', 'step');
    expect(be.importStart).toHaveBeenCalledOnce();
    expect(be.importStart.mock.calls[0][1]).toEqual(plan);
    expect(within(report).getByTestId('report-headline')).toHaveTextContent(
      'Imported messe.csv: 8 rows read, 4 created, 1 enriched, 1 to review, 1 unchanged, 1 rejected.',
    );
    expect(count('report-count-create_active')).toBe('2');
    expect(count('report-count-enrich')).toBe('1');
    expect(count('report-count-reject')).toBe('1');
    expect(within(report).getByTestId('report-status')).toHaveTextContent('Completed');

    // The history has the new import on top.
    await waitFor(() => expect(screen.getAllByTestId('history-row')).toHaveLength(2));
    const [top] = screen.getAllByTestId('history-row');
    expect(top).toHaveTextContent('messe.csv');
    expect(top).toHaveTextContent('Messe Hannover');
    expect(within(top).getByTestId('history-status')).toHaveTextContent('Completed');
    expect(within(top).getByTestId('history-rows')).toHaveTextContent('8 / 8');
  });

  it('offers to keep a row rejected only for its email, and checks again keeping it as a Draft', async () => {
    const { be, u } = open();
    await toDryRun(u);
    expect(count('dryrun-count-reject')).toBe('1');
    const callout = screen.getByTestId('dryrun-keepable');
    expect(callout).toHaveTextContent(
      'The rejected row fails only on an email or a phone number that no check accepts (a typo, a number range not yet in use). Kept, it becomes a Draft holding those values as typed',
    );
    await u.click(within(callout).getByTestId('dryrun-keep-invalid'));
    await waitFor(() => expect(be.importDryRun).toHaveBeenCalledTimes(2));
    expect(be.importDryRun.mock.calls[1][1]).toMatchObject({ keep_invalid: true });
    await screen.findByTestId('import-dryrun-step');
    await waitFor(() => expect(count('dryrun-count-reject')).toBe('0'));
    expect(count('dryrun-count-create_draft')).toBe('3');
    expect(screen.queryByTestId('dryrun-keepable')).not.toBeInTheDocument();
    // The mapping step says so too, for a step back.
    await u.click(screen.getByTestId('import-back'));
    expect(screen.getByTestId('import-keep-invalid')).toBeChecked();
  });

  it('says how many of the rejected rows keeping invalid values would save, when not all', async () => {
    const { be, u } = open();
    await toMapping(u);
    const real = be.importDryRun.getMockImplementation()!;
    be.importDryRun.mockImplementation(async (fileId, plan, onProgress) => {
      const report = await real(fileId, plan, onProgress);
      return { ...report, counts: { ...report.counts, reject: 40 }, keepable: 12 };
    });
    await u.click(screen.getByTestId('import-check'));
    await screen.findByTestId('import-dryrun-step');
    expect(screen.getByTestId('dryrun-keepable')).toHaveTextContent('12 rejected rows of 40 fail only on an email or a phone number');
    expect(screen.getByTestId('dryrun-keep-invalid')).toHaveTextContent('Keep them as Drafts and check again');
  });

  it('lets an Administrator bring deals refused only by their stage in, for a reason, and take that back', async () => {
    session.current = sessionFor('administrator');
    const { be, u } = open();
    const deals = csvFile('pipedrive.csv', 'first_name,last_name,email,stage\nFay,Fox,fay@fox.io,engagement\nGil,Gray,gil@gray.io,new\n');
    await toDryRun(u, [deals]);
    expect(count('dryrun-count-reject')).toBe('1');
    const table = screen.getByTestId('dryrun-table');
    expect(table).toHaveTextContent('a “Proposal sent” activity is needed to enter In discussion');
    expect(table).not.toHaveTextContent('Activity.proposal'); // no field the user could fill
    const callout = screen.getByTestId('dryrun-gated');
    expect(callout).toHaveTextContent('A rejected row lacks only what its stage asks to enter it');
    const go = within(callout).getByTestId('dryrun-override');
    expect(go).toBeDisabled(); // no reason yet
    await u.type(within(callout).getByTestId('dryrun-override-reason'), '   ');
    expect(go).toBeDisabled();
    await u.clear(within(callout).getByTestId('dryrun-override-reason'));
    await u.type(within(callout).getByTestId('dryrun-override-reason'), ' Moved from Pipedrive {Enter}');
    await waitFor(() => expect(be.importDryRun).toHaveBeenCalledTimes(2));
    expect(be.importDryRun.mock.calls[1][1]).toMatchObject({ override_reason: 'Moved from Pipedrive' });
    await waitFor(() => expect(count('dryrun-count-reject')).toBe('0'));
    expect(screen.queryByTestId('dryrun-gated')).not.toBeInTheDocument();
    expect(screen.getByTestId('dryrun-overridden')).toHaveTextContent('for “Moved from Pipedrive”');
    // Taken back: the rows meet their stage's criteria again.
    await u.click(screen.getByTestId('dryrun-override-clear'));
    await waitFor(() => expect(be.importDryRun).toHaveBeenCalledTimes(3));
    expect(be.importDryRun.mock.calls[2][1]).toMatchObject({ override_reason: null });
    await waitFor(() => expect(count('dryrun-count-reject')).toBe('1'));
  });

  it('tells an Editor that an Administrator may bring such deals in, and offers no override', async () => {
    session.current = sessionFor('editor');
    const { u } = open();
    await toDryRun(u, [csvFile('pipedrive.csv', 'first_name,last_name,email,stage\nFay,Fox,fay@fox.io,engagement\n')]);
    expect(screen.getByTestId('dryrun-gated')).toHaveTextContent('An Administrator may bring it in anyway, for a reason.');
    expect(screen.queryByTestId('dryrun-override-reason')).not.toBeInTheDocument();
  });

  it('says what the rows read became, not that every row read was imported', async () => {
    const { u } = open();
    const text = 'Vorname;Nachname;E-Mail\nAnna;Schmidt;anna@example.de\nBen;Kurz;ben@example.de\nMax;Mustermann;max@mustermann\n';
    await toDryRun(u, [csvFile('messe.csv', text)]);
    expect(screen.getByTestId('import-start')).toHaveTextContent('Import 2 rows');
    await u.click(screen.getByTestId('import-start'));
    const report = await screen.findByTestId('import-report-step');
    expect(within(report).getByTestId('report-headline')).toHaveTextContent('Imported messe.csv: 3 rows read, 2 created, 1 rejected.');
  });

  it("opens the leads list narrowed to the import's own leads from its report, its Drafts too", async () => {
    const { u } = open();
    const text = 'Vorname;Nachname;E-Mail;Telefon\nAnna;Schmidt;anna@example.de;\nBen;Kurz;;\n';
    await toDryRun(u, [csvFile('messe.csv', text)]);
    await u.click(screen.getByTestId('import-start'));
    const report = await screen.findByTestId('import-report-step');
    const batchId = importWizard.outcomes[0].batch?.id;
    expect(batchId).toEqual(expect.any(Number));
    await u.click(within(report).getByTestId('report-show-leads'));
    expect(nav.view).toEqual({ name: 'leads' });
    expect(leadFilters.f).toMatchObject({ importId: batchId, importFile: 'messe.csv', status: '', sort: 'created_at' });
    expect(toQuery(leadFilters.f)).toMatchObject({ import_id: batchId });

    nav.go({ name: 'imports' });
    await u.click(await screen.findByTestId('report-show-drafts'));
    expect(leadFilters.f).toMatchObject({ importId: batchId, status: 'draft' });
    leadFilters.clear();
  });

  it("opens the review queue narrowed to the import's pairs from its report, for those who review duplicates", async () => {
    session.current = sessionFor('editor');
    const { u } = open();
    // Jonas Webber may be the stored Jonas Weber: queued for review.
    const text = 'Vorname;Nachname;E-Mail\nJonas;Webber;jw@other.example\nAnna;Schmidt;anna@example.de\n';
    await toDryRun(u, [csvFile('messe.csv', text)]);
    await u.click(screen.getByTestId('import-start'));
    const report = await screen.findByTestId('import-report-step');
    const batch = importWizard.outcomes[0].batch;
    expect(batch?.counts.review).toBe(1);
    await u.click(within(report).getByRole('button', { name: 'Review possible duplicates' }));
    expect(nav.view).toEqual({ name: 'duplicates', importId: batch?.id, importFile: 'messe.csv' });

    // A Viewer, who may not review duplicates, is not offered the way there.
    nav.go({ name: 'imports' });
    session.current = sessionFor('viewer');
    await waitFor(() => expect(screen.queryByTestId('report-review-pairs')).toBeNull());
    expect(screen.getByTestId('report-show-leads')).toBeInTheDocument();
  });

  it('offers no review of pairs when the import queued none', async () => {
    session.current = sessionFor('administrator');
    const { u } = open();
    await toDryRun(u, [csvFile('messe.csv', 'Vorname;Nachname;E-Mail\nAnna;Schmidt;anna@example.de\n')]);
    await u.click(screen.getByTestId('import-start'));
    const report = await screen.findByTestId('import-report-step');
    expect(within(report).getByTestId('report-show-leads')).toBeInTheDocument();
    expect(within(report).queryByTestId('report-review-pairs')).toBeNull();
  });

  it('offers no rows to import when every row is unchanged, and still lets the file be recorded', async () => {
    const { be, u } = open();
    const text = 'Vorname;Nachname;E-Mail\nJonas;Weber;jonas.weber@example.de\nPetra;Klein;petra@klein.example\n';
    await toDryRun(u, [csvFile('again.csv', text)]);
    expect(count('dryrun-count-unchanged')).toBe('2');
    const start = screen.getByTestId('import-start');
    expect(start).not.toHaveTextContent('Import 2 rows');
    expect(start).toHaveTextContent('Record the import');
    expect(screen.getByTestId('import-nothing-to-write')).toHaveTextContent('Nothing to import: every row is unchanged or rejected');
    expect(start).toBeEnabled();
    await u.click(start);
    await screen.findByTestId('import-report-step');
    expect(be.importStart).toHaveBeenCalledOnce();
  });

  it('saves the rejected rows of the report as <file>.rejects.csv in the Downloads folder, and says where', async () => {
    const { be, u } = open();
    await toDryRun(u, [csvFile('march.csv')]);
    await u.click(screen.getByTestId('import-start'));
    await screen.findByTestId('import-report-step');

    await u.click(screen.getByTestId('report-download-rejects'));

    const batch = await be.importStart.mock.results[0].value;
    // The backend writes the file: the rows never cross to the page.
    await waitFor(() => expect(be.importSaveRejects).toHaveBeenCalledWith(batch.id, 'march.csv.rejects.csv'));
    expect(be.importSaveRejects).toHaveBeenCalledOnce();
    expect(be.saveDownload).not.toHaveBeenCalled();
    await waitFor(() =>
      expect(toasts.items.map((t) => t.message)).toContain('Saved to /home/ada/Downloads/march.csv.rejects.csv'),
    );
    expect(toasts.items.find((t) => t.message.startsWith('Saved to'))?.action?.label).toBe('Copy path');
  });

  it('says why the rejected rows could not be saved', async () => {
    const { be, u } = open({
      importSaveRejects: vi.fn(async () => {
        throw apiErr({ code: 'io', message: 'Could not save march.csv.rejects.csv in /home/ada/Downloads: disk full' });
      }),
    });
    await toDryRun(u, [csvFile('march.csv')]);
    await u.click(screen.getByTestId('import-start'));
    await screen.findByTestId('import-report-step');
    await u.click(screen.getByTestId('report-download-rejects'));
    await waitFor(() => expect(toasts.items.map((t) => t.message).join()).toContain('disk full'));
    // Said once: the backend's message names the file and the folder.
    expect(toasts.items.map((t) => t.message)).toContain(
      'Could not save march.csv.rejects.csv in /home/ada/Downloads: disk full',
    );
    expect(be.importSaveRejects).toHaveBeenCalledOnce();
    expect(toasts.items.map((t) => t.message).join()).not.toContain('Saved to');
    expect(screen.getByTestId('report-download-rejects')).toBeEnabled();
  });

  it('shows the progress of the run as it comes, and cancels it with the batch of the reports', async () => {
    let report!: (p: RunProgress) => void;
    const ended = deferred<ImportBatch>();
    const { be, u } = open({
      importStart: (_id, _plan, onProgress) => {
        report = onProgress;
        return ended.promise;
      },
      importCancel: async () => true,
      importHistory: async () => [],
    });
    await toDryRun(u);
    await u.click(screen.getByTestId('import-start'));

    const running = await screen.findByTestId('import-running-step');
    expect(within(running).getByTestId('import-progress-count')).toHaveTextContent('Starting…');
    report(runProgress({ batch_id: 42, rows_done: 300, rows_total: 1000, rows_per_second: 250, eta_seconds: 2.8, counts: counts({ create_active: 290, reject: 10 }) }));
    const bar = () => within(running).getByTestId('import-progress-bar') as HTMLProgressElement;
    await waitFor(() => expect(bar().value).toBe(300));
    expect(bar().max).toBe(1000);
    expect(within(running).getByTestId('import-progress-count')).toHaveTextContent('300 of 1,000 rows · 30%');
    expect(within(running).getByTestId('import-progress-pace')).toHaveTextContent('250 rows/s · about 3 s left');
    expect(count('import-progress-counts-create_active')).toBe('290');
    expect(count('import-progress-counts-reject')).toBe('10');

    report(runProgress({ batch_id: 42, rows_done: 600, rows_total: 1000, rows_per_second: 250, eta_seconds: 1.6, counts: counts({ create_active: 580, reject: 20 }) }));
    await waitFor(() => expect((screen.getByTestId('import-progress-bar') as HTMLProgressElement).value).toBe(600));
    expect(count('import-progress-counts-create_active')).toBe('580');

    await u.click(screen.getByTestId('import-cancel'));
    expect(be.importCancel).toHaveBeenCalledWith(42);
    expect(screen.getByTestId('import-cancel')).toBeDisabled();
    expect(running).toHaveTextContent('Cancelling the import');

    ended.resolve(importBatch({ id: 42, file_name: 'messe.csv', status: 'cancelled', rows_done: 600, rows_total: 1000, counts: counts({ create_active: 580, reject: 20 }) }));
    const done = await screen.findByTestId('import-report-step');
    expect(within(done).getByTestId('report-headline')).toHaveTextContent('Cancelled after 600 of 1,000 rows');
    expect(within(done).getByTestId('report-resume')).toBeInTheDocument();
    expect(count('report-count-create_active')).toBe('580');
    // The bar keeps the rows never reached, so 60% done does not look whole.
    expect(within(done).getByTestId('report-count-not-reached')).toHaveAttribute('title', 'Not reached: 400');
  });

  it('names the file in the report of a cancelled or interrupted import, as in the others', async () => {
    for (const status of ['cancelled', 'interrupted'] as const) {
      importWizard.reset();
      const { u, view } = open({
        importStart: async () =>
          importBatch({ id: 42, file_name: 'messe.csv', status, rows_done: 600, rows_total: 1000, counts: counts({ create_active: 600 }) }),
        importHistory: async () => [],
      });
      await toDryRun(u, [csvFile('messe.csv')]);
      await u.click(screen.getByTestId('import-start'));
      const done = await screen.findByTestId('import-report-step');
      expect(within(done).getByTestId('report-headline')).toHaveTextContent(
        status === 'cancelled'
          ? 'Cancelled after 600 of 1,000 rows of messe.csv: the rows done so far stay imported.'
          : 'Interrupted after 600 rows of messe.csv.',
      );
      view.unmount();
    }
  });

  it('sends a cancel asked for before the first report as soon as the batch is known', async () => {
    let report!: (p: RunProgress) => void;
    const ended = deferred<ImportBatch>();
    const { be, u } = open({
      importStart: (_id, _plan, onProgress) => {
        report = onProgress;
        return ended.promise;
      },
    });
    await toDryRun(u);
    await u.click(screen.getByTestId('import-start'));
    await u.click(await screen.findByTestId('import-cancel'));
    expect(be.importCancel).not.toHaveBeenCalled();
    report(runProgress({ batch_id: 9 }));
    await waitFor(() => expect(be.importCancel).toHaveBeenCalledWith(9));
    ended.resolve(importBatch({ id: 9, status: 'cancelled', rows_done: 0 }));
    await screen.findByTestId('import-report-step');
  });

  it('reports an import that failed part-way with the rows it left in, to resume or undo', async () => {
    const ended = deferred<ImportBatch>();
    let report!: (p: RunProgress) => void;
    const failed = importBatch({ id: 7, file_name: 'messe.csv', status: 'failed', rows_done: 500, error: 'disk full' });
    const { u } = open({
      importStart: (_id, _plan, onProgress) => {
        report = onProgress;
        return ended.promise;
      },
      importHistory: async () => [failed],
    });
    await toDryRun(u);
    await u.click(screen.getByTestId('import-start'));
    await screen.findByTestId('import-running-step');
    report(runProgress({ batch_id: 7, rows_done: 500 }));
    ended.reject(apiErr({ code: 'internal', message: 'disk full' }));
    const step = await screen.findByTestId('import-report-step');
    expect(within(step).getByTestId('report-headline')).toHaveTextContent('The import of messe.csv failed after 500 rows.');
    expect(step).not.toHaveTextContent('was not imported');
    expect(within(step).getByTestId('report-error')).toHaveTextContent('Disk full');
    expect(within(step).getByTestId('report-undo')).toBeEnabled();
    expect(within(step).getByTestId('report-resume')).toBeEnabled();
  });

  it('shows the report\'s batch partly undone once its undo was stopped, to be undone again, not resumed', async () => {
    const undoEnded = deferred<UndoReport>();
    let report!: (p: RunProgress) => void;
    const done = importBatch({ id: 7, file_name: 'messe.csv', status: 'completed', rows_done: 500 });
    const partly = { ...done, status: 'interrupted' as const, undo: { removed: 250, reverted: 0, kept: [], kept_count: 0 } };
    const { be, u } = open({
      importStart: async () => done,
      importUndo: (_id, onProgress) => {
        report = onProgress;
        return undoEnded.promise;
      },
      importCancel: vi.fn(async () => {
        undoEnded.reject(apiErr({ code: 'cancelled', message: 'cancelled' }));
        return true;
      }),
      importBatch: async () => partly,
    });
    await toDryRun(u);
    await u.click(screen.getByTestId('import-start'));
    const step = await screen.findByTestId('import-report-step');
    await u.click(within(step).getByTestId('report-undo'));
    await u.click(await screen.findByTestId('undo-confirm'));
    report(runProgress({ batch_id: 7, phase: 'undoing', rows_done: 1, rows_total: 2 }));
    await u.click(await screen.findByTestId('undo-stop'));
    await screen.findByTestId('undo-stopped');
    await waitFor(() =>
      expect(within(step).getByTestId('report-headline')).toHaveTextContent(
        'The undo of messe.csv was stopped: undo it again to finish.',
      ),
    );
    expect(be.importBatch).toHaveBeenCalledWith(7);
    expect(within(step).getByTestId('report-status')).toHaveTextContent('Undo stopped');
    expect(within(step).queryByTestId('report-resume')).toBeNull();
    expect(within(step).getByTestId('report-undo')).toBeEnabled();
  });

  it('shows the report\'s batch partly undone once an undo started from the history was stopped', async () => {
    const undoEnded = deferred<UndoReport>();
    let report!: (p: RunProgress) => void;
    const done = importBatch({ id: 7, file_name: 'messe.csv', status: 'completed', rows_done: 500 });
    const partly = { ...done, status: 'interrupted' as const, undo: { removed: 250, reverted: 0, kept: [], kept_count: 0 } };
    let history: ImportBatch[] = [];
    const { be, u } = open({
      importStart: async () => {
        history = [done];
        return done;
      },
      importHistory: async () => history,
      importUndo: (_id, onProgress) => {
        report = onProgress;
        return undoEnded.promise;
      },
      importCancel: vi.fn(async () => {
        history = [partly];
        undoEnded.reject(apiErr({ code: 'cancelled', message: 'cancelled' }));
        return true;
      }),
      importBatch: async () => partly,
    });
    await toDryRun(u);
    await u.click(screen.getByTestId('import-start'));
    const step = await screen.findByTestId('import-report-step');
    await waitFor(() => expect(screen.getAllByTestId('history-row')).toHaveLength(1));
    await u.click(within(screen.getByTestId('history-row')).getByTestId('history-undo'));
    await u.click(await screen.findByTestId('undo-confirm'));
    report(runProgress({ batch_id: 7, phase: 'undoing', rows_done: 1, rows_total: 2 }));
    await u.click(await screen.findByTestId('undo-stop'));
    await screen.findByTestId('undo-stopped');
    await waitFor(() =>
      expect(within(step).getByTestId('report-headline')).toHaveTextContent(
        'The undo of messe.csv was stopped: undo it again to finish.',
      ),
    );
    expect(be.importBatch).toHaveBeenCalledWith(7);
    expect(within(step).getByTestId('report-status')).toHaveTextContent('Undo stopped');
    expect(within(step).queryByTestId('report-resume')).toBeNull();
  });

  it('shows the report\'s batch as it stands once a resume started from the history failed part-way', async () => {
    const cancelled = importBatch({ id: 7, file_name: 'messe.csv', status: 'cancelled', rows_done: 200, rows_total: 500 });
    const further = { ...cancelled, status: 'failed' as const, rows_done: 350, error: 'disk full' };
    let history: ImportBatch[] = [];
    const { be, u } = open({
      importStart: async () => {
        history = [cancelled];
        return cancelled;
      },
      importHistory: async () => history,
      importResume: async () => {
        history = [further];
        throw apiErr({ code: 'internal', message: 'disk full' });
      },
      importBatch: async () => further,
    });
    await toDryRun(u);
    await u.click(screen.getByTestId('import-start'));
    const step = await screen.findByTestId('import-report-step');
    await waitFor(() => expect(screen.getAllByTestId('history-row')).toHaveLength(1));
    await u.click(within(screen.getByTestId('history-row')).getByTestId('history-resume'));
    await waitFor(() =>
      expect(within(step).getByTestId('report-headline')).toHaveTextContent('The import of messe.csv failed after 350 rows.'),
    );
    expect(be.importBatch).toHaveBeenCalledWith(7);
    expect(within(step).getByTestId('report-error')).toHaveTextContent('Disk full');
  });

  it('says one row as one row in the toast of a run that ended while away', async () => {
    const ended = deferred<ImportBatch>();
    const { u, view } = open({ importStart: () => ended.promise });
    await toDryRun(u);
    await u.click(screen.getByTestId('import-start'));
    await screen.findByTestId('import-running-step');
    view.unmount();
    nav.go({ name: 'leads' });
    ended.resolve(importBatch({ id: 5, file_name: 'messe.csv', rows_done: 1, rows_total: 1, status: 'completed', counts: counts({ create_active: 1 }) }));
    await waitFor(() => expect(importWizard.step).toBe('report'));
    expect(toasts.items.map((t) => t.message)).toEqual(['Imported messe.csv: 1 row read, 1 created']);
  });

  it('tells apart, in the toast of a run that ended while away, the files imported from the one that failed part-way', async () => {
    const first = deferred<ImportBatch>();
    let calls = 0;
    const failed = importBatch({ id: 12, file_name: 'berlin.csv', status: 'failed', rows_done: 500, error: 'disk full' });
    const { u, view } = open({
      importStart: async (_id, _plan, onProgress) => {
        calls++;
        if (calls === 1) return first.promise;
        if (calls === 2) {
          onProgress(runProgress({ batch_id: 12, rows_done: 500 }));
          throw apiErr({ code: 'internal', message: 'disk full' });
        }
        return importBatch({ id: 13, file_name: 'koeln.csv', rows_done: 2, rows_total: 2, counts: counts({ create_active: 2 }) });
      },
      importHistory: async () => [failed],
    });
    await toDryRun(u, [csvFile('hannover.csv'), csvFile('berlin.csv'), csvFile('koeln.csv')]);
    await u.click(screen.getByTestId('import-start'));
    await screen.findByTestId('import-running-step');
    view.unmount();
    nav.go({ name: 'leads' });
    first.resolve(importBatch({ id: 11, file_name: 'hannover.csv', rows_done: 3, rows_total: 3, counts: counts({ create_active: 3 }) }));
    await waitFor(() => expect(importWizard.step).toBe('report'));
    expect(toasts.items.map((t) => t.message)).toEqual([
      'Imported hannover.csv and koeln.csv: 5 rows read, 5 created; berlin.csv failed after 500 rows',
    ]);
    expect(toasts.items[0].kind).toBe('error');
  });

  it('goes on while the page is away, tells the end in a toast, and shows the report on return', async () => {
    const ended = deferred<ImportBatch>();
    let report!: (p: RunProgress) => void;
    const { u, view } = open({
      importStart: (_id, _plan, onProgress) => {
        report = onProgress;
        return ended.promise;
      },
    });
    await toDryRun(u);
    await u.click(screen.getByTestId('import-start'));
    await screen.findByTestId('import-running-step');
    report(runProgress({ batch_id: 5, rows_done: 4 }));

    view.unmount();
    nav.go({ name: 'leads' });
    ended.resolve(importBatch({ id: 5, file_name: 'messe.csv', rows_done: 8, status: 'completed' }));
    await waitFor(() => expect(importWizard.step).toBe('report'));
    expect(toasts.items.map((t) => t.message)).toEqual(['Imported messe.csv: 8 rows read, 6 created, 1 updated, 1 rejected']);
    toasts.act(toasts.items[0].id);
    expect(nav.view).toEqual({ name: 'imports' });

    render(ImportsPage);
    expect(await screen.findByTestId('import-report-step')).toHaveTextContent(
      'Imported messe.csv: 8 rows read, 6 created, 1 updated, 1 rejected.',
    );
  });

  it('tells the end of a resume started from the report in a toast when the page was left', async () => {
    const cancelled = importBatch({ id: 7, file_name: 'messe.csv', status: 'cancelled', rows_done: 3, rows_total: 8, counts: counts({ create_active: 3 }) });
    const ended = deferred<ImportBatch>();
    const { u, view } = open({
      importStart: async () => cancelled,
      importResume: () => ended.promise,
      importHistory: async () => [],
    });
    await toDryRun(u);
    await u.click(screen.getByTestId('import-start'));
    const step = await screen.findByTestId('import-report-step');
    await u.click(within(step).getByTestId('report-resume'));
    await screen.findByTestId('import-running-step');
    view.unmount();
    nav.go({ name: 'leads' });
    ended.resolve({ ...cancelled, status: 'completed', rows_done: 8, counts: counts({ create_active: 7, reject: 1 }) });
    await waitFor(() => expect(importWizard.step).toBe('report'));
    expect(toasts.items.map((t) => t.message)).toEqual(['Imported messe.csv: 8 rows read, 7 created, 1 rejected']);
    expect(toasts.items[0].action?.label).toBe('Show');
  });

  it('follows the file being imported: a late report of the file before does not take over its progress or Cancel', async () => {
    const reports: ((p: RunProgress) => void)[] = [];
    const ends = [deferred<ImportBatch>(), deferred<ImportBatch>()];
    const { be, u } = open({
      importStart: (_id, _plan, onProgress) => {
        reports.push(onProgress);
        return ends[reports.length - 1].promise;
      },
      importCancel: async () => true,
    });
    await toMapping(u, [csvFile('hannover.csv'), csvFile('berlin.csv', csvText())]);
    await u.click(screen.getByTestId('import-check'));
    await screen.findByTestId('import-dryrun-step');
    await u.click(screen.getByTestId('import-start'));
    await screen.findByTestId('import-running-step');
    reports[0](runProgress({ batch_id: 1, rows_done: 2 }));
    ends[0].resolve(importBatch({ id: 1, file_name: 'hannover.csv' }));
    await waitFor(() => expect(reports).toHaveLength(2));
    reports[0](runProgress({ batch_id: 1, rows_done: 8, rows_total: 8 }));
    reports[1](runProgress({ batch_id: 2, rows_done: 3, rows_total: 8 }));
    reports[0](runProgress({ batch_id: 1, rows_done: 8, rows_total: 8 }));
    await u.click(screen.getByTestId('import-cancel'));
    expect(be.importCancel).toHaveBeenCalledWith(2);
    expect(be.importCancel).not.toHaveBeenCalledWith(1);
    ends[1].resolve(importBatch({ id: 2, file_name: 'berlin.csv', status: 'cancelled' }));
    await screen.findByTestId('import-report-step');
  });

  it('offers the files a cancel kept from their turn to import, and asks before starting over drops them', async () => {
    const second = deferred<ImportBatch>();
    let calls = 0;
    const { be, u } = open({
      importStart: async (_id, _plan, onProgress) => {
        calls++;
        if (calls === 1) return importBatch({ id: 11, file_name: 'hannover.csv', rows_done: 3, rows_total: 3, counts: counts({ create_active: 3 }) });
        if (calls === 2) {
          onProgress(runProgress({ batch_id: 12, rows_done: 1, rows_total: 3 }));
          return second.promise;
        }
        return importBatch({ id: 13, file_name: 'koeln.csv', rows_done: 3, rows_total: 3, counts: counts({ create_active: 3 }) });
      },
      importCancel: async () => true,
      importHistory: async () => [],
    });
    await toDryRun(u, [csvFile('hannover.csv'), csvFile('berlin.csv'), csvFile('koeln.csv')]);
    await u.click(screen.getByTestId('import-start'));
    await waitFor(() => expect(be.importStart).toHaveBeenCalledTimes(2));
    await u.click(await screen.findByTestId('import-cancel'));
    second.resolve(importBatch({ id: 12, file_name: 'berlin.csv', status: 'cancelled', rows_done: 1, rows_total: 3, counts: counts({ create_active: 1 }) }));
    const step = await screen.findByTestId('import-report-step');
    expect(within(step).getAllByTestId('report-headline')[2]).toHaveTextContent('koeln.csv was not imported: the import was cancelled before its turn.');

    await u.click(within(step).getByTestId('report-another'));
    const ask = await screen.findByTestId('confirm-another-dialog');
    expect(ask).toHaveTextContent('Leave 1 file not imported?');
    expect(ask).toHaveTextContent('koeln.csv was not imported: the import was cancelled before its turn.');
    await u.click(within(ask).getByRole('button', { name: 'Keep them' }));
    expect(screen.getByTestId('import-report-step')).toBeInTheDocument();

    await u.click(within(step).getByTestId('report-import-remaining'));
    await waitFor(() => expect(be.importStart).toHaveBeenCalledTimes(3));
    // With the plan koeln.csv was checked with.
    expect(be.importStart.mock.calls[2].slice(0, 2)).toEqual(be.importDryRun.mock.calls[2].slice(0, 2));
    const again = await screen.findByTestId('import-report-step');
    await waitFor(() => expect(within(again).getAllByTestId('report-headline')[2]).toHaveTextContent('Imported koeln.csv: 3 rows read, 3 created.'));
    expect(within(again).getAllByTestId('report-headline')[0]).toHaveTextContent('Imported hannover.csv');
    expect(within(again).getAllByTestId('report-headline')[1]).toHaveTextContent('Cancelled after 1 of 3 rows of berlin.csv');
    expect(within(again).queryByTestId('report-import-remaining')).toBeNull();
  });

  it('lets the keyboard reach the scrolling table of the dry run, named for its file', async () => {
    const { u } = open();
    await toDryRun(u);
    const region = screen.getByRole('region', { name: 'Rows of messe.csv' });
    expect(region).toContainElement(screen.getByTestId('dryrun-table'));
    expect(region).toHaveAttribute('tabindex', '0');
  });

  it('writes the line numbers of a long file with thousands separators, as its other numbers', async () => {
    const { be, u } = open();
    const stage = be.importStageFile.getMockImplementation()!;
    be.importStageFile.mockImplementation(async (name, bytes) => ({ ...(await stage(name, bytes)), header_line: 1234 }));
    const check = be.importDryRun.getMockImplementation()!;
    be.importDryRun.mockImplementation(async (fileId, plan, onProgress) => {
      const report = await check(fileId, plan, onProgress);
      return { ...report, rows_shown: report.rows_shown.map((r) => ({ ...r, line: r.line + 1233 })) };
    });
    expect(await toMapping(u)).toHaveTextContent('header on line 1,234 ·');
    await u.click(screen.getByTestId('import-check'));
    await screen.findByTestId('import-dryrun-step');
    for (const row of screen.getAllByTestId('dryrun-row')) {
      expect(within(row).getAllByRole('cell')[0]).toHaveTextContent(/^1,2\d\d$/);
    }
  });

  it('says a file has no header row, rather than naming a line 0', async () => {
    const { be, u } = open();
    const stage = be.importStageFile.getMockImplementation()!;
    be.importStageFile.mockImplementation(async (name, bytes) => ({ ...(await stage(name, bytes)), header_line: 0 }));
    await u.upload(screen.getByTestId('import-file-input'), [csvFile()]);
    await staged(1);
    expect(screen.getByTestId('detected-header-line')).toHaveTextContent('None: columns named by what they hold');
    await u.click(screen.getByTestId('import-next'));
    const mapping = await screen.findByTestId('import-mapping-step');
    expect(mapping).toHaveTextContent('no header row (the first row is imported');
    expect(mapping).not.toHaveTextContent('header on line');
  });

  it('names a file whose check failed in the report, beside the files imported', async () => {
    const { be, u } = open();
    const check = be.importDryRun.getMockImplementation()!;
    be.importDryRun
      .mockImplementationOnce(check)
      .mockImplementationOnce(async () => {
        throw apiErr({ code: 'internal', message: 'the file could not be read' });
      });
    await toMapping(u, [csvFile('hannover.csv'), csvFile('berlin.csv', csvText())]);
    await u.click(screen.getByTestId('import-check'));
    await screen.findByTestId('import-dryrun-step');
    await u.click(screen.getByTestId('import-start'));
    const step = await screen.findByTestId('import-report-step');
    const files = within(step).getAllByTestId('import-report-file').map((a) => a.dataset.file);
    expect(files).toEqual(['hannover.csv', 'berlin.csv']);
    expect(within(step).getAllByTestId('report-headline')[1]).toHaveTextContent(
      'berlin.csv was not imported: Its check failed (the file could not be read)',
    );
    expect(be.importStart).toHaveBeenCalledTimes(1);
  });

  it('shows the rows of an outcome picked from the counts of the group in a file that has some', async () => {
    const { u } = open();
    const clean = [
      'Vorname;Nachname;Firma;E-Mail;Telefon;PLZ;Ort;Kundennummer;Bemerkung;Interne Nr',
      'Ada;Stein;;ada@stein.example;;;;;;41',
    ].join('\n');
    await toDryRun(u, [csvFile('clean.csv', clean), csvFile('berlin.csv', csvText())]);
    expect(screen.getByTestId('dryrun-file')).toHaveDisplayValue('clean.csv');
    await u.click(screen.getByTestId('dryrun-count-reject'));
    // clean.csv has none: the file that has them is shown, not "none" under a count of one.
    expect(screen.getByTestId('dryrun-file')).toHaveDisplayValue('berlin.csv');
    expect(screen.getAllByTestId('dryrun-row').length).toBeGreaterThan(0);
    expect(screen.queryByTestId('dryrun-no-rows')).toBeNull();
  });

  it('imports files with the same columns with one mapping, and maps files with other columns after', async () => {
    const { be, u } = open();
    await u.upload(screen.getByTestId('import-file-input'), [
      csvFile('hannover.csv'),
      csvFile('berlin.csv', csvText()),
      new File([ENGLISH_CSV], 'web.csv', { type: 'text/csv' }),
    ]);
    await staged(3);
    expect(screen.getByTestId('import-groups')).toHaveTextContent('1. hannover.csv and berlin.csv; 2. web.csv');
    await u.click(screen.getByTestId('import-next'));

    const mapping = await screen.findByTestId('import-mapping-step');
    expect(mapping).toHaveTextContent('Map the columns of hannover.csv and 1 more file');
    await u.selectOptions(screen.getByTestId('map-Interne Nr'), 'notes');
    await u.click(screen.getByTestId('import-check'));
    await screen.findByTestId('import-dryrun-step');
    expect(be.importDryRun).toHaveBeenCalledTimes(2);
    // Both files: 16 rows, 2 rejected and 2 that change nothing.
    expect(screen.getByTestId('import-start')).toHaveTextContent('Import 12 rows');
    await u.click(screen.getByTestId('import-start'));

    const report = await screen.findByTestId('import-report-step');
    expect(be.importStart).toHaveBeenCalledTimes(2);
    const [[, first], [, second]] = be.importStart.mock.calls;
    // Each file is named after itself, with the one mapping.
    expect(first.source_detail).toBe('hannover.csv');
    expect(second.source_detail).toBe('berlin.csv');
    expect(second.mapping).toContainEqual({ column: 'Interne Nr', target: 'notes' });
    expect(within(report).getAllByTestId('import-report-file')).toHaveLength(2);

    // "Import another file" would drop web.csv, still waiting for its mapping: asked first, and kept.
    await u.click(within(report).getByTestId('report-another'));
    const ask = await screen.findByTestId('confirm-another-dialog');
    expect(ask).toHaveTextContent('Leave 1 file not imported?');
    expect(ask).toHaveTextContent('web.csv waits for a mapping of its own');
    await u.click(within(ask).getByRole('button', { name: 'Keep them' }));
    expect(screen.queryByTestId('confirm-another-dialog')).toBeNull();
    expect(screen.getByTestId('import-report-step')).toBeInTheDocument();

    await u.click(within(report).getByTestId('report-next-group'));
    const next = await screen.findByTestId('import-mapping-step');
    expect(next).toHaveTextContent('Map the columns of web.csv');
    expect(screen.getByTestId('map-first_name')).toHaveValue('first_name');
    expect(screen.getByTestId('map-email')).toHaveValue('email');
  });

  it('applies a saved template by header, and saves the mapping as a template', async () => {
    const { be, u } = open();
    await toMapping(u);
    await applyFairTemplate(u);
    expect(screen.getByTestId('import-template-applied')).toHaveTextContent('Applied “Messe export”: 10 of 10 columns matched');
    expect(screen.getByTestId('map-Interne Nr')).toHaveValue('notes');
    expect(screen.getByTestId('import-key')).toHaveValue('external_ref');
    expect(screen.queryByTestId('import-ignored-warning')).toBeNull();

    await u.selectOptions(screen.getByTestId('map-Telefon'), 'ignore');
    await u.click(screen.getByTestId('import-template-save'));
    const dialog = await screen.findByTestId('save-template-dialog');
    const name = within(dialog).getByTestId('template-name');
    expect(name).toHaveValue('Messe export');
    expect(dialog).toHaveTextContent('saving replaces it');
    await u.clear(name);
    await u.type(name, 'Messe ohne Telefon');
    await u.click(within(dialog).getByTestId('template-save-confirm'));
    await waitFor(() => expect(screen.queryByTestId('save-template-dialog')).toBeNull());
    expect(be.saveImportTemplate).toHaveBeenCalledOnce();
    const saved = be.saveImportTemplate.mock.calls[0][0];
    expect(saved.name).toBe('Messe ohne Telefon');
    expect(saved.key).toBe('external_ref');
    expect(saved.mapping).toContainEqual({ column: 'Telefon', target: 'ignore' });
    expect(saved.mapping).toContainEqual({ column: 'Interne Nr', target: 'notes' });

    await u.click(screen.getByTestId('import-check'));
    await screen.findByTestId('import-dryrun-step');
    expect(be.importDryRun.mock.calls[0][1]).toMatchObject({ template: 'Messe ohne Telefon', key: 'external_ref' });
    // With the customer number as key, the two known leads are found by it.
    expect(count('dryrun-count-update')).toBe('1');
    expect(count('dryrun-count-unchanged')).toBe('1');
  });

  it('records a template only while the mapping is still its own, and says when it changed the choice for existing leads', async () => {
    const { be, u } = open();
    await toMapping(u);
    await applyFairTemplate(u);
    expect(screen.getByTestId('import-template-applied')).toHaveTextContent(
      'Existing leads: update the lead with the same external reference, as the template says.',
    );
    await u.selectOptions(screen.getByTestId('map-Telefon'), 'ignore');
    await u.click(screen.getByTestId('import-check'));
    await screen.findByTestId('import-dryrun-step');
    // Its mapping changed: the history would say it was made with the template.
    expect(be.importDryRun.mock.calls[0][1]).toMatchObject({ template: null, key: 'external_ref' });
  });

  it('says in its dialog why a template could not be deleted (a toast would sit behind it)', async () => {
    const { u } = open({
      deleteImportTemplate: async () => {
        throw apiErr({ code: 'database_locked', message: 'the database is busy' });
      },
    });
    await toMapping(u);
    const select = await screen.findByTestId('import-template-select');
    await waitFor(() => expect(within(select).getByRole('option', { name: 'Messe export' })).toBeInTheDocument());
    await u.selectOptions(select, 'Messe export');
    await u.click(screen.getByTestId('import-template-delete'));
    const dialog = await screen.findByTestId('delete-template-dialog');
    await u.click(within(dialog).getByTestId('delete-template-confirm'));
    expect(await within(dialog).findByTestId('delete-template-error')).toHaveTextContent(
      'Could not delete the template: the database is busy',
    );
  });

  it('offers to replace stored values only with a key, off by default, and sends what was chosen', async () => {
    const { be, u } = open();
    await toMapping(u);
    expect(screen.queryByTestId('import-replace')).not.toBeInTheDocument();
    await u.selectOptions(screen.getByTestId('import-key'), 'email');
    expect(screen.getByTestId('import-replace')).not.toBeChecked();
    expect(screen.getByTestId('import-key-hint')).toHaveTextContent('is rejected with both values');
    expect(screen.getByTestId('import-replace')).toHaveAccessibleDescription(/rejected with both values/);
    expect(screen.getByTestId('import-key')).toHaveAccessibleDescription(/rejected with both values/);
    await u.click(screen.getByTestId('import-check'));
    await screen.findByTestId('import-dryrun-step');
    expect(be.importDryRun.mock.calls.at(-1)![1]).toMatchObject({ key: 'email', replace: false });

    await u.click(screen.getByTestId('import-back'));
    await u.click(await screen.findByTestId('import-replace'));
    expect(screen.getByTestId('import-key-hint')).toHaveTextContent('A filled cell replaces the lead’s value');
    await u.click(screen.getByTestId('import-check'));
    await screen.findByTestId('import-dryrun-step');
    expect(be.importDryRun.mock.calls.at(-1)![1]).toMatchObject({ key: 'email', replace: true });

    // Back to creating only: the choice has nothing to replace, and is not sent.
    await u.click(screen.getByTestId('import-back'));
    await u.selectOptions(await screen.findByTestId('import-key'), '');
    expect(screen.queryByTestId('import-replace')).not.toBeInTheDocument();
    await u.click(screen.getByTestId('import-check'));
    await screen.findByTestId('import-dryrun-step');
    expect(be.importDryRun.mock.calls.at(-1)![1]).toMatchObject({ key: null, replace: false });
  });

  it('refuses a key whose column is not mapped before asking the backend', async () => {
    const { be, u } = open();
    await toMapping(u);
    await u.selectOptions(screen.getByTestId('import-key'), 'email');
    await u.selectOptions(screen.getByTestId('map-E-Mail'), 'ignore');
    await u.click(screen.getByTestId('import-check'));
    expect(await screen.findByTestId('import-mapping-problems')).toHaveTextContent(
      'To update leads by email, choose Email for the column that holds it.',
    );
    expect(be.importDryRun).not.toHaveBeenCalled();
    expect(screen.getByTestId('import-mapping-step')).toBeInTheDocument();
  });

  it('says from which line a dry run too large to carry checked rows apart, and nothing when it did not', async () => {
    const { be, u } = open();
    await toDryRun(u);
    expect(screen.queryByTestId('dryrun-checked-apart')).not.toBeInTheDocument();
    await u.click(screen.getByTestId('import-back'));
    const real = be.importDryRun.getMockImplementation()!;
    be.importDryRun.mockImplementation(async (fileId, plan, onProgress) => ({
      ...(await real(fileId, plan, onProgress)),
      checked_apart_from: 100002,
    }));
    await u.click(await screen.findByTestId('import-check'));
    expect(await screen.findByTestId('dryrun-checked-apart')).toHaveTextContent(
      'From line 100,002 on, rows were checked against your leads and the rows before them',
    );
  });

  it('says when the rows of an outcome lie beyond the rows shown, not that there are none', async () => {
    const { be, u } = open();
    await toMapping(u);
    const real = be.importDryRun.getMockImplementation()!;
    be.importDryRun.mockImplementation(async (fileId, plan, onProgress) => {
      const report = await real(fileId, plan, onProgress);
      return { ...report, rows_shown: report.rows_shown.filter((r) => r.action === 'reject') };
    });
    await u.click(screen.getByTestId('import-check'));
    await screen.findByTestId('import-dryrun-step');
    await u.selectOptions(screen.getByTestId('dryrun-filter'), 'create_active');
    const none = await screen.findByTestId('dryrun-no-rows');
    expect(none).toHaveTextContent(
      'Of the 1 row shown here (the first, every rejected row first), none would be “New (Active)”; 2 rows further in messe.csv would.',
    );
  });

  it('keeps the mapping made by hand when a file of the same columns is added on a step back', async () => {
    const { u } = open();
    await toMapping(u, [csvFile('hannover.csv')]);
    await u.selectOptions(screen.getByTestId('map-Interne Nr'), 'notes');
    await u.click(screen.getByTestId('import-back'));
    await screen.findByTestId('import-files-step');
    await u.upload(screen.getByTestId('import-file-input'), [csvFile('berlin.csv', csvText())]);
    await staged(2);
    await u.click(screen.getByTestId('import-next'));
    await screen.findByTestId('import-mapping-step');
    expect(screen.getByTestId('map-Interne Nr')).toHaveValue('notes');
  });

  it('saves a template over one whose name differs only in case, leaving one', async () => {
    const { u } = open();
    await toMapping(u);
    const select = screen.getByTestId('import-template-select');
    await waitFor(() => expect(within(select).getByRole('option', { name: 'Messe export' })).toBeInTheDocument());
    await u.click(screen.getByTestId('import-template-save'));
    const dialog = await screen.findByTestId('save-template-dialog');
    const name = within(dialog).getByTestId('template-name');
    await u.clear(name);
    await u.type(name, 'messe export');
    expect(dialog).toHaveTextContent('saving replaces it');
    await u.click(within(dialog).getByTestId('template-save-confirm'));
    await waitFor(() => expect(screen.queryByTestId('save-template-dialog')).toBeNull());
    const names = within(select).getAllByRole('option').map((o) => o.textContent);
    expect(names.filter((n) => n?.toLowerCase() === 'messe export')).toEqual(['messe export']);
  });

  it('maps a sheet chosen on a step back afresh, not with the other sheet\'s mapping', async () => {
    const { u } = open();
    await u.upload(screen.getByTestId('import-file-input'), [new File(['PK'], 'kontakte.xlsx')]);
    await staged(1);
    await u.click(screen.getByTestId('import-next'));
    await screen.findByTestId('import-mapping-step');
    const kontakte = screen.getAllByTestId('mapping-row').length;
    await u.click(screen.getByTestId('import-back'));
    await screen.findByTestId('import-files-step');
    await u.selectOptions(screen.getByTestId('import-sheet'), 'Firmen');
    await waitFor(() => expect(screen.getByTestId('import-staged-file')).toHaveTextContent('Columns: Firma · Ort · Website'));
    await u.click(screen.getByTestId('import-next'));
    await screen.findByTestId('import-mapping-step');
    expect(screen.getAllByTestId('mapping-row')).toHaveLength(3);
    expect(kontakte).not.toBe(3);
    expect(screen.getByTestId('map-Firma')).toHaveValue('company');
  });

  it('shows the sheet actually read when another one cannot be', async () => {
    const { be, u } = open();
    const preview = be.importPreview.getMockImplementation()!;
    be.importPreview.mockImplementation(async (fileId, sheet) => {
      if (sheet === 'Firmen') throw new Error('the sheet is protected');
      return preview(fileId, sheet);
    });
    await u.upload(screen.getByTestId('import-file-input'), [new File(['PK'], 'kontakte.xlsx')]);
    await staged(1);
    const sheet = within(screen.getByTestId('import-staged-file')).getByTestId('import-sheet');
    await u.selectOptions(sheet, 'Firmen');
    await waitFor(() => expect(toasts.items.map((t) => t.message).join()).toContain('the sheet is protected'));
    await waitFor(() => expect(sheet).toHaveValue('Kontakte'));
  });

  it('reads an Excel file with its sheets, and reads it again with another sheet', async () => {
    const { be, u } = open();
    await u.upload(screen.getByTestId('import-file-input'), [new File(['PK'], 'kontakte.xlsx')]);
    await staged(1);
    const file = screen.getByTestId('import-staged-file');
    expect(within(file).getByTestId('detected-format')).toHaveTextContent('Excel');
    expect(within(file).queryByTestId('detected-delimiter')).toBeNull();
    const sheet = within(file).getByTestId('import-sheet');
    expect(sheet).toHaveValue('Kontakte');
    await u.selectOptions(sheet, 'Firmen');
    await waitFor(() => expect(file).toHaveTextContent('Columns: Firma · Ort · Website'));
    expect(be.importPreview).toHaveBeenCalledWith(expect.stringMatching(/./), 'Firmen');

    await u.click(screen.getByTestId('import-next'));
    await screen.findByTestId('import-mapping-step');
    expect(screen.getAllByTestId('mapping-row')).toHaveLength(3);
    await u.click(screen.getByTestId('import-check'));
    await screen.findByTestId('import-dryrun-step');
    expect(be.importDryRun.mock.calls[0][1].sheet).toBe('Firmen');
  });

  it('takes files dropped anywhere on the step, and names each file it cannot take', async () => {
    const { u } = open({
      importStageFile: async () => {
        throw apiErr({ code: 'validation', message: 'the file is not text in a supported encoding (UTF-8, UTF-16 or Windows-1252)' });
      },
    });
    const step = screen.getByTestId('import-files-step');
    const pdf = new File(['%PDF'], 'brochure.pdf', { type: 'application/pdf' });
    const broken = csvFile('broken.csv');
    expect(await fireEvent.dragOver(step, { dataTransfer: { types: ['Files'], files: [] } })).toBe(false);
    await fireEvent.drop(step, { dataTransfer: { types: ['Files'], files: [pdf, broken] } });
    expect(await screen.findByTestId('import-file-notices')).toHaveTextContent('“brochure.pdf” is not a spreadsheet');
    await staged(1);
    expect(screen.getByTestId('import-file-error')).toHaveTextContent(
      'Cannot import this file: The file is not text in a supported encoding (UTF-8, UTF-16 or Windows-1252)',
    );
    expect(screen.getByTestId('import-next')).toBeDisabled();
    await u.click(screen.getByTestId('import-remove-file'));
    expect(screen.queryByTestId('import-staged-file')).toBeNull();
    // The Remove button went with the file: the focus goes to choosing files, not to the page.
    await waitFor(() => expect(screen.getByTestId('import-file-input')).toHaveFocus());
  });

  it('takes a file read again after it failed in place of the failed one, and does not report it as not imported', async () => {
    const { be, u } = open();
    const read = be.importStageFile.getMockImplementation()!;
    be.importStageFile.mockImplementationOnce(async () => {
      throw apiErr({ code: 'validation', message: 'the file is locked by another program' });
    });
    await u.upload(screen.getByTestId('import-file-input'), [csvFile('messe.csv')]);
    await staged(1);
    expect(screen.getByTestId('import-file-error')).toHaveTextContent('locked');
    be.importStageFile.mockImplementation(read);
    await u.upload(screen.getByTestId('import-file-input'), [csvFile('messe.csv')]);
    await staged(1);
    expect(screen.queryByTestId('import-file-error')).toBeNull();
    await u.click(screen.getByTestId('import-next'));
    await screen.findByTestId('import-mapping-step');
    await u.click(screen.getByTestId('import-check'));
    await screen.findByTestId('import-dryrun-step');
    await u.click(screen.getByTestId('import-start'));
    const report = await screen.findByTestId('import-report-step');
    expect(within(report).queryByTestId('report-left-out')).toBeNull();
  });

  it('moves the focus to the next file when a staged file is removed', async () => {
    const { u } = open();
    await u.upload(screen.getByTestId('import-file-input'), [csvFile('a.csv'), csvFile('b.csv'), csvFile('c.csv')]);
    await staged(3);
    const remove = () => screen.getAllByTestId('import-remove-file');
    remove()[1].focus();
    await u.keyboard('{Enter}');
    await waitFor(() => expect(screen.getAllByTestId('import-staged-file')).toHaveLength(2));
    await waitFor(() => expect(remove()[1]).toHaveFocus());
    expect(remove()[1]).toHaveAccessibleName('Remove c.csv');
    await u.keyboard('{Enter}');
    await waitFor(() => expect(remove()[0]).toHaveFocus());
    expect(remove()[0]).toHaveAccessibleName('Remove a.csv');
  });

  it('imports what it checked: nothing of the mapping changes while the rows are being checked', async () => {
    const { be, u } = open();
    await toMapping(u);
    const gate = deferred<void>();
    const real = be.importDryRun.getMockImplementation()!;
    be.importDryRun.mockImplementation(async (...args: Parameters<typeof real>) => {
      await gate.promise;
      return real(...args);
    });
    await u.click(screen.getByTestId('import-check'));
    await waitFor(() => expect(screen.getByTestId('import-check')).toHaveTextContent('Checking the rows…'));
    expect(screen.getByTestId('map-Vorname')).toBeDisabled();
    expect(screen.getByTestId('import-key')).toBeDisabled();
    expect(screen.getByTestId('import-template-select')).toBeDisabled();
    importWizard.setTarget(0, 'notes');
    // Even an option changed by a way the screen does not offer is not what the check saw: not imported.
    importWizard.options.dedup = false;
    gate.resolve();
    await screen.findByTestId('import-dryrun-step');
    await u.click(screen.getByTestId('import-start'));
    await screen.findByTestId('import-report-step');
    const [[, plan]] = be.importStart.mock.calls;
    expect(plan.mapping).toContainEqual({ column: 'Vorname', target: 'first_name' });
    expect(plan.dedup).toBe(true);
  });

  it('shows how far the check of the rows has come, and stops it back at the mapping as it was', async () => {
    const { be, u } = open();
    await toMapping(u);
    const gate = deferred<void>();
    const real = be.importDryRun.getMockImplementation()!;
    let report!: (p: RunProgress) => void;
    be.importDryRun.mockImplementation(async (fileId, plan, onProgress) => {
      report = onProgress;
      await gate.promise;
      return real(fileId, plan, onProgress);
    });
    await u.click(screen.getByTestId('import-check'));
    const progress = await screen.findByTestId('import-check-progress');
    expect(progress).toHaveTextContent('Checking the rows of messe.csv…');
    expect(progress).toHaveTextContent('Nothing is written while the rows are checked.');
    expect(within(progress).getByTestId('import-check-progress-count')).toHaveTextContent('Starting…');
    report(
      runProgress({ batch_id: 0, phase: 'checking', rows_done: 500, rows_total: 1200, rows_per_second: 250, eta_seconds: 2.8, counts: counts({ create_active: 480, reject: 20 }) }),
    );
    await waitFor(() => expect((within(progress).getByTestId('import-check-progress-bar') as HTMLProgressElement).value).toBe(500));
    expect(within(progress).getByTestId('import-check-progress-count')).toHaveTextContent('500 of 1,200 rows · 41%');
    expect(within(progress).getByTestId('import-check-progress-pace')).toHaveTextContent('250 rows/s · about 3 s left');
    // The outcomes so far are named as the check names them: what would happen, not what did.
    expect(within(progress).getByTestId('import-check-progress-counts-create_active')).toHaveTextContent('New (Active)');
    expect(count('import-check-progress-counts-create_active')).toBe('480');
    expect(screen.queryByTestId('import-back')).not.toBeInTheDocument();

    // The backend's check has not begun yet (it waits behind the gate): the cancel is sent again at its first report.
    await u.click(screen.getByTestId('import-check-cancel'));
    expect(be.importDryRunCancel).toHaveBeenCalledWith(be.importDryRun.mock.calls[0][0]);
    await expect(be.importDryRunCancel.mock.results[0].value).resolves.toBe(false);
    expect(screen.getByTestId('import-check-cancel')).toBeDisabled();
    expect(progress).toHaveTextContent('Stopping the check of messe.csv…');
    gate.resolve();
    await waitFor(() => expect(screen.queryByTestId('import-check-progress')).not.toBeInTheDocument());
    expect(be.importDryRunCancel).toHaveBeenCalledTimes(2);
    await expect(be.importDryRunCancel.mock.results[1].value).resolves.toBe(true);
    expect(screen.getByTestId('import-mapping-step')).toBeInTheDocument();
    expect(screen.queryByTestId('import-step-error')).not.toBeInTheDocument();
    expect(screen.getByTestId('map-Vorname')).not.toBeDisabled();
    expect(screen.getByTestId('map-Vorname')).toHaveValue('first_name');

    // Checked again, it goes to its end.
    be.importDryRun.mockImplementation(real);
    await u.click(screen.getByTestId('import-check'));
    await screen.findByTestId('import-dryrun-step');
  });

  it('stops the check of the rows with Esc, and leaves the files after it unchecked', async () => {
    const { be, u } = open();
    await toMapping(u, [csvFile('a.csv'), csvFile('b.csv')]);
    const gate = deferred<void>();
    const real = be.importDryRun.getMockImplementation()!;
    // The backend's check begins once the gate opens: the cancel sent before is sent again at its first report.
    be.importDryRun.mockImplementation(async (fileId, plan, onProgress) => {
      await gate.promise;
      return real(fileId, plan, onProgress);
    });
    await u.click(screen.getByTestId('import-check'));
    const progress = await screen.findByTestId('import-check-progress');
    expect(progress).toHaveTextContent('Checking the rows of a.csv (file 1 of 2)…');
    (document.activeElement as HTMLElement | null)?.blur();
    await u.keyboard('{Escape}');
    await waitFor(() => expect(be.importDryRunCancel).toHaveBeenCalledTimes(1));
    await expect(be.importDryRunCancel.mock.results[0].value).resolves.toBe(false);
    gate.resolve();
    await waitFor(() => expect(screen.queryByTestId('import-check-progress')).not.toBeInTheDocument());
    expect(be.importDryRunCancel).toHaveBeenCalledTimes(2);
    await expect(be.importDryRunCancel.mock.results[1].value).resolves.toBe(true);
    expect(be.importDryRun).toHaveBeenCalledTimes(1);
    expect(screen.getByTestId('import-mapping-step')).toBeInTheDocument();
    expect(screen.queryByTestId('import-step-error')).not.toBeInTheDocument();
    // Said, and the focus on Next, where the check is made again.
    expect(screen.getByTestId('import-check-stopped')).toHaveTextContent('Check stopped: nothing was written.');
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('import-check')));
  });

  it('stops a check under way before signing out, so it does not go on for a session that is gone', async () => {
    const { be, u } = open();
    await toMapping(u);
    // A check that runs until it is cancelled.
    let asked = false;
    let running = false;
    be.importDryRun.mockImplementation(async (_fileId, _plan, onProgress) => {
      running = true;
      onProgress(runProgress({ batch_id: 0, phase: 'checking', rows_done: 0, rows_total: 100 }));
      while (!asked) await new Promise((r) => setTimeout(r, 5));
      throw new BackendError({ code: 'cancelled', message: 'cancelled; nothing was saved', field: null, fields: [], merged_into: null });
    });
    be.importDryRunCancel.mockImplementation(async () => {
      if (!running) return false;
      asked = true;
      return true;
    });
    await u.click(screen.getByTestId('import-check'));
    await screen.findByTestId('import-check-progress');
    await importWizard.stopCheck();
    expect(asked).toBe(true);
    expect(importWizard.checking).toBe(false);
  });

  it('offers no way back from a later set of columns: the files before it are imported', async () => {
    const { be, u } = open();
    await u.upload(screen.getByTestId('import-file-input'), [
      csvFile('hannover.csv'),
      new File([ENGLISH_CSV], 'web.csv', { type: 'text/csv' }),
    ]);
    await staged(2);
    await u.click(screen.getByTestId('import-next'));
    await screen.findByTestId('import-mapping-step');
    expect(screen.getByTestId('import-back')).toBeInTheDocument();
    await u.click(screen.getByTestId('import-check'));
    await screen.findByTestId('import-dryrun-step');
    await u.click(screen.getByTestId('import-start'));
    await u.click(within(await screen.findByTestId('import-report-step')).getByTestId('report-next-group'));
    expect(await screen.findByTestId('import-mapping-step')).toHaveTextContent('Map the columns of web.csv');
    expect(screen.queryByTestId('import-back')).toBeNull();
    (document.activeElement as HTMLElement)?.blur();
    await u.keyboard('{Escape}');
    expect(screen.getByTestId('import-mapping-step')).toHaveTextContent('Map the columns of web.csv');
    expect(screen.queryByTestId('import-files-step')).toBeNull();
    expect(be.importStart).toHaveBeenCalledTimes(1);
  });

  it("puts the focus on each new step's heading, where the pressed button was", async () => {
    const { u } = open();
    await toMapping(u);
    await waitFor(() => expect(screen.getByRole('heading', { level: 2, name: /Map the columns/ })).toHaveFocus());
    await u.click(screen.getByTestId('import-check'));
    await screen.findByTestId('import-dryrun-step');
    await waitFor(() => expect(screen.getByRole('heading', { level: 2, name: /Check: what the import would do/ })).toHaveFocus());
  });

  it('never imports on an Enter from the Check step unless the Import button has the focus', async () => {
    const { be, u } = open();
    await toMapping(u);
    const mapping = screen.getByRole('heading', { level: 2, name: /Map the columns/ });
    await waitFor(() => expect(mapping).toHaveFocus());
    await u.keyboard('{Enter}');
    await screen.findByTestId('import-dryrun-step');
    await waitFor(() => expect(screen.getByRole('heading', { level: 2, name: /Check: what the import would do/ })).toHaveFocus());
    await u.keyboard('{Enter}');
    (document.activeElement as HTMLElement)?.blur();
    await u.keyboard('{Enter}');
    await Promise.resolve();
    expect(screen.getByTestId('import-dryrun-step')).toBeInTheDocument();
    expect(be.importStart).not.toHaveBeenCalled();
    screen.getByTestId('import-start').focus();
    await u.keyboard('{Enter}');
    await screen.findByTestId('import-report-step');
    expect(be.importStart).toHaveBeenCalledOnce();
  });

  it('leaves Esc typed outside the wizard (in the history below it) to the page', async () => {
    const { u } = open();
    const refresh = await screen.findByTestId('history-refresh');
    refresh.focus();
    await u.keyboard('{Escape}');
    expect(nav.view).toEqual({ name: 'imports' });
    await toMapping(u);
    refresh.focus();
    await u.keyboard('{Escape}');
    expect(screen.getByTestId('import-mapping-step')).toBeInTheDocument();
    expect(screen.queryByTestId('import-files-step')).toBeNull();
  });

  it('moves one step per press of Enter: a key held down never carries past the dry run into the import', async () => {
    const { be, u } = open();
    await u.upload(screen.getByTestId('import-file-input'), [csvFile()]);
    await staged(1);
    (document.activeElement as HTMLElement)?.blur();
    await u.keyboard('{Enter}');
    await screen.findByTestId('import-mapping-step');
    (document.activeElement as HTMLElement)?.blur();
    await u.keyboard('{Enter}');
    await screen.findByTestId('import-dryrun-step');
    (document.activeElement as HTMLElement)?.blur();
    fireEvent.keyDown(window, { key: 'Enter', repeat: true });
    await Promise.resolve();
    expect(screen.getByTestId('import-dryrun-step')).toBeInTheDocument();
    expect(be.importStart).not.toHaveBeenCalled();
  });

  it('shows a failed resume of the report as the batch now stands', async () => {
    const ended = deferred<ImportBatch>();
    let report!: (p: RunProgress) => void;
    const cancelled = importBatch({ id: 7, file_name: 'messe.csv', status: 'cancelled', rows_done: 500, rows_total: 1000 });
    const failed = { ...cancelled, status: 'failed' as const, rows_done: 800, error: 'disk full' };
    let history = [cancelled];
    const { u } = open({
      importStart: (_id, _plan, onProgress) => {
        report = onProgress;
        return ended.promise;
      },
      importResume: async () => {
        history = [failed];
        throw apiErr({ code: 'internal', message: 'disk full' });
      },
      importHistory: async () => history,
    });
    await toDryRun(u);
    await u.click(screen.getByTestId('import-start'));
    report(runProgress({ batch_id: 7, rows_done: 500 }));
    ended.resolve(cancelled);
    const step = await screen.findByTestId('import-report-step');
    expect(within(step).getByTestId('report-headline')).toHaveTextContent('Cancelled after 500');
    await u.click(within(step).getByTestId('report-resume'));
    await waitFor(() =>
      expect(within(screen.getByTestId('import-report-step')).getByTestId('report-headline')).toHaveTextContent('failed after 800 rows'),
    );
  });

  it('says a file of a header and no rows has none, without blaming the mapping', async () => {
    const { u } = open();
    const step = await toDryRun(u, [csvFile('leer.csv', 'Vorname;Nachname;E-Mail\n')]);
    expect(step).toHaveTextContent('The file has no rows to import.');
    expect(step).not.toHaveTextContent('Every row would be rejected');
    expect(screen.getByTestId('import-start')).toBeDisabled();
  });

  it('goes on with Enter and back with Esc', async () => {
    const { be, u } = open();
    await u.upload(screen.getByTestId('import-file-input'), [csvFile()]);
    await staged(1);
    (document.activeElement as HTMLElement)?.blur();
    await u.keyboard('{Enter}');
    await screen.findByTestId('import-mapping-step');
    (document.activeElement as HTMLElement)?.blur();
    await u.keyboard('{Enter}');
    await screen.findByTestId('import-dryrun-step');
    expect(be.importDryRun).toHaveBeenCalledOnce();
    await u.keyboard('{Escape}');
    await screen.findByTestId('import-mapping-step');
    // The mapping is as it was left.
    expect(screen.getByTestId('map-Vorname')).toHaveValue('first_name');
    await u.keyboard('{Escape}');
    expect(await screen.findByTestId('import-files-step')).toBeInTheDocument();
    expect(screen.getAllByTestId('import-staged-file')).toHaveLength(1);
  });

  it('keeps a mapping made by hand through a step back to the same files', async () => {
    const { u } = open();
    await toMapping(u);
    await u.selectOptions(screen.getByTestId('map-Bemerkung'), 'ignore');
    await u.click(screen.getByTestId('import-back'));
    await screen.findByTestId('import-files-step');
    await u.click(screen.getByTestId('import-next'));
    await screen.findByTestId('import-mapping-step');
    expect(screen.getByTestId('map-Bemerkung')).toHaveValue('ignore');
    expect(screen.getByTestId('map-Vorname')).toHaveValue('first_name');
  });
});

/** The fair file with other people in it (the same columns). */
function csvText(): string {
  return [
    'Vorname;Nachname;Firma;E-Mail;Telefon;PLZ;Ort;Kundennummer;Bemerkung;Interne Nr',
    'Eva;Braun;Braun OHG;eva@braun.example;030 998877;10117;Berlin;K-2001;;31',
    'Tom;Wolf;;tom@wolf;;;;;;32',
    'Jonas;Weber;Weber AG;jonas.weber@example.de;;;;K-1002;;33',
    'Uwe;Lang;Lang GmbH;uwe@lang.example;;;;;;34',
    'Ina;Roth;;ina@roth.example;;;;;;35',
    'Kai;Ernst;;kai@ernst.example;;;;;;36',
    'Ole;Berg;;ole@berg.example;;;;;;37',
    'Pia;Hahn;;pia@hahn.example;;;;;;38',
  ].join('\n');
}
