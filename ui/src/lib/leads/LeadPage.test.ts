import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { activity, apiErr, change, historyPage, lead, mockBackend, savedLead } from '../../test/fixtures';
import type { Backend } from '../api';
import { nav } from '../nav.svelte';
import { localTime } from '../format';
import LeadPage from './LeadPage.svelte';
import { importRuns } from '../imports/runs.svelte';
import { duplicateScan } from '../duplicates/scan.svelte';
import { toasts } from '../toast.svelte';

describe('LeadPage', () => {
  it('reads the lead again when an import ends or a scan merges leads meanwhile', async () => {
    let company = 'Acme';
    let enriched = 0;
    const be = mockBackend({
      getLead: async () => lead({ company }),
      importResume: async () => ({ id: 3 }) as Awaited<ReturnType<typeof be.importResume>>,
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
    render(LeadPage, { id: 7, canWrite: true, onedit: vi.fn(), onback: vi.fn() });
    expect(await screen.findByTestId('lead-title')).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId('lead-page')).toHaveTextContent('Acme'));
    company = 'Acme Holdings';
    await importRuns.resume(3, 'messe.csv');
    await waitFor(() => expect(screen.getByTestId('lead-page')).toHaveTextContent('Acme Holdings'));
    const reads = be.getLead.mock.calls.length;
    await duplicateScan.start();
    expect(be.getLead.mock.calls.length).toBe(reads);
    enriched = 1;
    company = 'Acme Group';
    await duplicateScan.start();
    await waitFor(() => expect(screen.getByTestId('lead-page')).toHaveTextContent('Acme Group'));
  });


  it('opens an email or a phone in the system\'s program for it, and says so when none opens', async () => {
    const be = mockBackend();
    render(LeadPage, { id: 7, canWrite: true, onedit: vi.fn(), onback: vi.fn() });
    const u = userEvent.setup();
    const email = await screen.findByRole('link', { name: 'Email grace@navy.mil' });
    expect(email).toHaveAttribute('href', 'mailto:grace@navy.mil');
    await u.click(email);
    expect(be.openLink).toHaveBeenCalledWith('mailto:grace@navy.mil');
    const phone = screen.getByRole('link', { name: 'Call +44 20 7946 0018' });
    expect(phone).toHaveTextContent('+44 20 7946 0018');
    be.openLink.mockRejectedValueOnce(apiErr({ code: 'io', message: 'this system has no program to open tel:+442079460018 with' }));
    await u.click(phone);
    expect(be.openLink).toHaveBeenLastCalledWith('tel:+442079460018');
    await waitFor(() =>
      expect(toasts.items.map((t) => t.message)).toContain(
        'Could not open tel:+442079460018: this system has no program to open tel:+442079460018 with',
      ),
    );
  });

  it('shows a Draft with exactly what it is missing', async () => {
    mockBackend({
      getLead: async () =>
        lead({ first_name: '', last_name: '', company: 'Acme', status: 'draft', missing: ['name', 'source'], source: null }),
    });
    render(LeadPage, { id: 7, canWrite: true, onedit: vi.fn(), onback: vi.fn() });
    expect(await screen.findByTestId('lead-status')).toHaveTextContent(/^Draft$/);
    expect(screen.getByTestId('lead-title')).toHaveTextContent('Acme');
    const missing = screen.getByTestId('lead-missing');
    const items = within(missing).getAllByRole('listitem').map((li) => li.textContent);
    expect(items).toEqual(['a first or last name', 'a source channel']);
  });

  it('names a lead without a name by its email in a booking, not by the list\'s placeholder', async () => {
    mockBackend({
      getLead: async () =>
        lead({ first_name: '', last_name: '', company: '', emails: [{ address: 'ann@x.io', original: 'ann@x.io' }] }),
    });
    render(LeadPage, { id: 7, canWrite: true, onedit: vi.fn(), onback: vi.fn() });
    const u = userEvent.setup();
    await u.click(await screen.findByTestId('lead-book-appointment'));
    expect(await screen.findByTestId('book-title')).toHaveAttribute('placeholder', 'Meeting with ann@x.io');
  });

  it('writes the address as its country does', async () => {
    const address = { street: '206 Queen St E', street2: '', city: 'Toronto', postcode: 'M5V 3A1', region: 'ON', country: 'CA' };
    mockBackend({ getLead: async () => lead({ address, country_code: 'CA' }) });
    render(LeadPage, { id: 7, canWrite: true, onedit: vi.fn(), onback: vi.fn() });
    const shown = await screen.findByTestId('lead-address');
    expect(shown.innerHTML.split('<br>').map((l) => l.trim()).filter(Boolean)).toEqual([
      '206 Queen St E',
      'Toronto, ON M5V 3A1',
      'Canada',
    ]);
  });

  it('shows the deal typed in the form: its value in its currency, its close date, why it was lost', async () => {
    const deal = { ...lead().deal, value: '48000.00', currency: 'EUR', expected_close: '2026-03-31', need: 'Route planning', lost_reason: 'price' };
    mockBackend({ getLead: async () => lead({ deal }) });
    render(LeadPage, { id: 7, canWrite: true, onedit: vi.fn(), onback: vi.fn() });
    const panel = await screen.findByTestId('lead-deal');
    expect(within(panel).getByTestId('lead-deal-deal-value')).toHaveTextContent(/48,000/);
    expect(within(panel).getByTestId('lead-deal-deal-value')).toHaveTextContent('€');
    expect(within(panel).getByTestId('lead-deal-expected-close')).toHaveTextContent(/31/);
    expect(within(panel).getByTestId('lead-deal-expected-close')).toHaveTextContent(/2026/);
    expect(within(panel).getByTestId('lead-deal-need')).toHaveTextContent('Route planning');
    await waitFor(() => expect(within(panel).getByTestId('lead-deal-lost-reason')).toHaveTextContent('Price'));
  });

  it('offers the lead one was merged into, not "does not exist"; another refusal says why', async () => {
    mockBackend({
      getLead: async (id: number) => {
        if (id === 7) {
          throw apiErr({
            code: 'merged_away',
            message: 'this lead was merged into Ann Lee (lead 3), where its details and history are now',
            merged_into: 3,
          });
        }
        throw apiErr({ code: 'not_found', message: `lead ${id} does not exist` });
      },
    });
    const onback = vi.fn();
    const { unmount } = render(LeadPage, { id: 7, canWrite: true, onedit: vi.fn(), onback });
    expect(await screen.findByTestId('lead-merged-away')).toHaveTextContent(
      'This lead was merged into Ann Lee (lead 3), where its details and history are now.',
    );
    const open = screen.getByTestId('lead-merged-open');
    await waitFor(() => expect(open).toHaveFocus());
    expect(screen.getByTestId('lead-error')).not.toHaveTextContent('Could not open');
    await userEvent.setup().click(open);
    expect(nav.view).toEqual({ name: 'lead', id: 3 });
    unmount();
    render(LeadPage, { id: 8, canWrite: true, onedit: vi.fn(), onback });
    expect(await screen.findByTestId('lead-error')).toHaveTextContent('Could not open this lead: lead 8 does not exist');
    expect(screen.queryByTestId('lead-merged-open')).toBeNull();
  });

  it('says when a lead has no deal details yet', async () => {
    mockBackend({ getLead: async () => lead() });
    render(LeadPage, { id: 7, canWrite: true, onedit: vi.fn(), onback: vi.fn() });
    expect(await screen.findByTestId('lead-deal')).toHaveTextContent('No deal details yet.');
  });

  it('shows an Active lead, phones as displayed with the original text, and opens the editor', async () => {
    const l = lead();
    const be = mockBackend({ getLead: async () => l });
    const onedit = vi.fn();
    render(LeadPage, { id: 7, canWrite: true, onedit, onback: vi.fn() });
    expect(await screen.findByTestId('lead-status')).toHaveTextContent(/^Active$/);
    expect(screen.queryByTestId('lead-missing')).toBeNull();
    expect(screen.getByTestId('lead-title')).toHaveTextContent('Grace Hopper');
    expect(screen.getByText('+44 20 7946 0018')).toBeInTheDocument();
    expect(screen.getByText('entered as “020 7946 0018”')).toBeInTheDocument();
    expect(be.getLead).toHaveBeenCalledWith(7);
    expect(screen.getByTestId('lead-history')).toBeInTheDocument();

    await userEvent.setup().click(screen.getByTestId('edit-lead'));
    expect(onedit).toHaveBeenCalledWith(l);
  });

  it('says how a contact point was entered only when that tells something the value does not', async () => {
    const l = lead({
      emails: [
        { address: 'K.Johnson@example.org', original: 'K.Johnson@Example.ORG' },
        { address: 'kj@example.org', original: 'Katherine <kj@example.org>' },
      ],
      phones: [
        { e164: '+17578641000', display: '+1 757-864-1000', original: '+1 757 864 1000' },
        { e164: '+17578641001', display: '+1 757-864-1001', original: '(757) 864-1001' },
      ],
    });
    mockBackend({ getLead: async () => l });
    render(LeadPage, { id: 7, canWrite: true, onedit: vi.fn(), onback: vi.fn() });
    await screen.findByTestId('lead-status');
    const entered = screen.getAllByText(/^entered as/).map((e) => e.textContent);
    // Spaces for dashes, or the domain's capitals, are no other entry than the value shown.
    expect(entered).toEqual(['entered as “Katherine <kj@example.org>”', 'entered as “(757) 864-1001”']);
  });

  it('lists the values kept as invalid, which keep the lead a Draft', async () => {
    mockBackend({
      getLead: async () =>
        lead({
          status: 'draft',
          missing: ['fix_invalid'],
          invalid: [{ field: 'emails', value: 'bob@', reason: 'no domain' }],
        }),
    });
    render(LeadPage, { id: 7, canWrite: true, onedit: vi.fn(), onback: vi.fn() });
    expect(await screen.findByTestId('lead-missing')).toHaveTextContent('a fix for the values kept as invalid');
    expect(screen.getByTestId('lead-invalid')).toHaveTextContent(/Needs fixing\s*bob@\s*Email — no domain/);
  });

  it('shows a value kept as invalid once, its reason without the quoted copy, and how to fix it', async () => {
    const REASON = 'needs exactly one @ between a name and a domain, e.g. jane@example.com';
    mockBackend({
      getLead: async () =>
        lead({
          status: 'draft',
          missing: ['fix_invalid'],
          invalid: [
            { field: 'emails', value: 'bea@', reason: `"bea@" ${REASON}` },
            { field: 'phones', value: '12', reason: '"12" is not a phone number' },
          ],
        }),
    });
    render(LeadPage, { id: 7, canWrite: true, onedit: vi.fn(), onback: vi.fn() });
    const box = await screen.findByTestId('lead-invalid');
    const [email, phone] = within(box).getAllByRole('listitem');
    expect(email).toHaveTextContent(`bea@ Email — ${REASON}`, { normalizeWhitespace: true });
    expect(email.textContent!.match(/bea@/g)).toHaveLength(1);
    expect(within(email).getByText('bea@')).toBeInTheDocument();
    expect(phone).toHaveTextContent('12 Phone — is not a phone number');
    expect(phone.textContent).not.toContain('"12"');
    const hint = within(box).getByTestId('lead-invalid-hint');
    expect(hint).toHaveTextContent('Edit');
    expect(hint).toHaveTextContent('Needs fixing');
    expect(hint).toHaveTextContent('Fix');
    expect(hint).toHaveTextContent('Remove');
  });

  it('does not tell viewers to edit what they cannot', async () => {
    mockBackend({
      getLead: async () => lead({ status: 'draft', invalid: [{ field: 'emails', value: 'bea@', reason: 'no domain' }] }),
    });
    render(LeadPage, { id: 7, canWrite: false, onedit: vi.fn(), onback: vi.fn() });
    expect(await screen.findByTestId('lead-invalid')).toHaveTextContent('bea@');
    expect(screen.queryByTestId('lead-invalid-hint')).toBeNull();
  });

  it('hides Edit from viewers', async () => {
    mockBackend();
    render(LeadPage, { id: 7, canWrite: false, onedit: vi.fn(), onback: vi.fn() });
    await screen.findByTestId('lead-title');
    expect(screen.queryByTestId('edit-lead')).toBeNull();
  });

  it('goes back on Esc', async () => {
    mockBackend();
    const onback = vi.fn();
    render(LeadPage, { id: 7, canWrite: true, onedit: vi.fn(), onback });
    await screen.findByTestId('lead-title');
    await userEvent.setup().keyboard('{Escape}');
    expect(onback).toHaveBeenCalled();
  });

  it('leaves a half-typed activity alone: Esc and E on its focused button do not lead away', async () => {
    mockBackend();
    const onback = vi.fn();
    const onedit = vi.fn();
    render(LeadPage, { id: 7, canWrite: true, onedit, onback });
    const u = userEvent.setup();
    await u.type(await screen.findByTestId('activity-subject'), 'Called about the renewal');
    screen.getByTestId('activity-submit').focus();
    await u.keyboard('{Escape}');
    await u.keyboard('e');
    expect(onback).not.toHaveBeenCalled();
    expect(onedit).not.toHaveBeenCalled();
    expect(screen.getByTestId('activity-subject')).toHaveValue('Called about the renewal');
  });

  it('asks before leaving a half-typed activity by the sidebar, and leaves once it is discarded', async () => {
    mockBackend();
    render(LeadPage, { id: 7, canWrite: true, onedit: vi.fn(), onback: vi.fn() });
    const u = userEvent.setup();
    nav.go({ name: 'lead', id: 7 });
    await u.type(await screen.findByTestId('activity-subject'), 'Called about the renewal');
    nav.go({ name: 'calendar' });
    expect(await screen.findByTestId('confirm-discard-activity')).toHaveTextContent('has not been logged');
    expect(nav.view).toEqual({ name: 'lead', id: 7 });
    await u.click(screen.getByTestId('confirm-discard-activity-keep'));
    expect(screen.getByTestId('activity-subject')).toHaveValue('Called about the renewal');
    nav.go({ name: 'calendar' });
    await u.click(await screen.findByTestId('confirm-discard-activity-discard'));
    expect(nav.view).toEqual({ name: 'calendar' });
  });

  it('waits for an activity being logged before leaving, instead of offering to discard what is being saved', async () => {
    let answer: (a: Awaited<ReturnType<Backend['logActivity']>>) => void = () => {};
    let refuse: (e: unknown) => void = () => {};
    const be = mockBackend({
      logActivity: () =>
        new Promise((res, rej) => {
          answer = res;
          refuse = rej;
        }),
    });
    render(LeadPage, { id: 7, canWrite: true, onedit: vi.fn(), onback: vi.fn() });
    const u = userEvent.setup();
    nav.go({ name: 'lead', id: 7 });
    await u.type(await screen.findByTestId('activity-subject'), 'Called about the renewal{Enter}');
    await waitFor(() => expect(be.logActivity).toHaveBeenCalledOnce());
    nav.go({ name: 'calendar' });
    await new Promise((r) => setTimeout(r, 30));
    expect(screen.queryByTestId('confirm-discard-activity')).toBeNull();
    expect(nav.view).toEqual({ name: 'lead', id: 7 });
    answer(activity({ id: 10, subject: 'Called about the renewal' }));
    await waitFor(() => expect(nav.view).toEqual({ name: 'calendar' }));

    // Refused, it is still not logged: then the question is asked.
    nav.go({ name: 'lead', id: 7 });
    await u.type(await screen.findByTestId('activity-subject'), 'Second call{Enter}');
    await waitFor(() => expect(be.logActivity).toHaveBeenCalledTimes(2));
    nav.go({ name: 'calendar' });
    refuse(apiErr({ code: 'internal', message: 'busy' }));
    expect(await screen.findByTestId('confirm-discard-activity')).toBeInTheDocument();
    expect(nav.view).toEqual({ name: 'lead', id: 7 });
  });

  const edit = change({ id: 3, batch_id: 2, field: 'job_title', old_value: 'Captain', new_value: 'Rear Admiral' });

  it('shows viewers the history without Undo', async () => {
    mockBackend({ leadHistory: async () => historyPage([edit]) });
    render(LeadPage, { id: 7, canWrite: false, onedit: vi.fn(), onback: vi.fn() });
    expect(await screen.findAllByTestId('history-entry')).toHaveLength(1);
    expect(screen.queryByTestId('history-undo')).toBeNull();
  });

  it('undoes a change from the history, then shows the reverted lead and its new history', async () => {
    const reverted = lead({ version: 2, job_title: 'Captain' });
    const undoEntry = change({
      id: 4,
      batch_id: 3,
      field: 'job_title',
      old_value: 'Rear Admiral',
      new_value: 'Captain',
      source_ref: 'undo of change 2',
    });
    let history = [edit];
    const be = mockBackend({
      getLead: async () => lead({ version: 1 }),
      leadHistory: async () => historyPage(history),
      undoLeadChange: async () => {
        history = [undoEntry, edit];
        return savedLead(reverted);
      },
    });
    render(LeadPage, { id: 7, canWrite: true, onedit: vi.fn(), onback: vi.fn() });
    expect(await screen.findByText('Rear Admiral', { selector: 'dd' })).toBeInTheDocument();
    const u = userEvent.setup();
    await u.click(await screen.findByTestId('history-undo'));
    await u.click(await screen.findByTestId('confirm-undo-button'));

    await waitFor(() => expect(screen.getAllByTestId('history-entry')).toHaveLength(2));
    expect(be.undoLeadChange).toHaveBeenCalledWith(7, 2);
    // The change taken back is named by its time, not by a batch number the reader never sees.
    expect(screen.getAllByTestId('history-entry')[0]).toHaveTextContent(`undo of the change of ${localTime(edit.at)}`);
    expect(screen.getAllByTestId('history-entry')[0]).not.toHaveTextContent('change 2');
    expect(screen.getByText('Captain', { selector: 'dd' })).toBeInTheDocument();
    expect(screen.queryByText('Rear Admiral', { selector: 'dd' })).toBeNull();
  });
});
