import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import App from '../../App.svelte';
import { apiErr, lead, mockBackend, sessionFor } from '../../test/fixtures';
import type { Backend } from '../api';
import type { Lead, User } from '../types';
import { localDate } from '../format';
import { nav } from '../nav.svelte';
import { session } from '../session.svelte';
import Toasts from '../ui/Toasts.svelte';
import { leadEvents } from './events.svelte';
import { duplicateScan } from '../duplicates/scan.svelte';
import LeadPage from './LeadPage.svelte';

/** Lead 11 (Grace Hopper, the survivor of the mock's merges) at its latest version. */
function survivor(over: Partial<Backend> = {}) {
  let version = 1;
  const be = mockBackend({
    getLead: async (id) => lead({ id, version: version++, first_name: 'Grace', last_name: 'Hopper' }),
    ...over,
  });
  return be;
}

function openPage(canUnmerge = true) {
  session.current = sessionFor('administrator');
  render(LeadPage, { id: 11, canWrite: true, canUnmerge, onedit: vi.fn(), onback: vi.fn() });
  render(Toasts);
  return userEvent.setup();
}

describe('LeadPage: the merges into a lead', () => {
  it('says who merged which lead in, and when, and unmerges it: toast, lead and history read again', async () => {
    const be = survivor();
    // A merge done earlier from the duplicates screen: Grace Hoper (12) into Grace Hopper (11).
    const { merge_id } = await be.mergeLeads(11, [12], [], []);
    const [record] = await be.leadMerges(11);
    const u = openPage();

    const notice = await screen.findByTestId('lead-merges');
    expect(be.leadMerges).toHaveBeenCalledWith(11);
    expect(notice).toHaveTextContent(`Merged from Grace Hoper on ${localDate(record.at)} by Ada Admin`);
    expect(within(notice).getByRole('button', { name: 'Unmerge Grace Hoper' })).toBe(
      within(notice).getByTestId('lead-unmerge'),
    );
    await waitFor(() => expect(be.leadHistory).toHaveBeenCalledTimes(1));
    await waitFor(() => expect(be.leadAppointments).toHaveBeenCalled());
    const reads = be.getLead.mock.calls.length;
    const meetingReads = be.leadAppointments.mock.calls.length;
    const activityReads = be.leadActivities.mock.calls.length;

    await u.click(within(notice).getByTestId('lead-unmerge'));
    await waitFor(() => expect(be.unmerge).toHaveBeenCalledWith(merge_id));
    expect(await screen.findByText('Unmerged: Grace Hoper restored')).toBeInTheDocument();
    // The merge is undone: no longer offered.
    await waitFor(() => expect(screen.queryByTestId('lead-merges')).toBeNull());
    expect(await be.leadMerges(11)).toEqual([]);
    // The lead and its history are read again.
    await waitFor(() => expect(be.getLead.mock.calls.length).toBeGreaterThan(reads));
    await waitFor(() => expect(be.leadHistory.mock.calls.length).toBeGreaterThan(1));
    expect(be.leadHistory).toHaveBeenLastCalledWith(11, 500);
    // So are its meetings and activities: those the merge had brought went back with Grace Hoper.
    await waitFor(() => expect(be.leadAppointments.mock.calls.length).toBeGreaterThan(meetingReads));
    expect(be.leadActivities.mock.calls.length).toBeGreaterThan(activityReads);
    // The focus, on a button now gone, goes to the lead's name.
    await waitFor(() => expect(screen.getByTestId('lead-title')).toHaveFocus());
  });

  it('stops offering a merge undone elsewhere (the Undo of its toast) while the page is open', async () => {
    const be = survivor();
    const { merge_id } = await be.mergeLeads(11, [12], [], []);
    openPage();
    await screen.findByTestId('lead-merges');
    // Undone from the merge's toast: the survivor is announced changed.
    await waitFor(() => expect(be.leadAppointments).toHaveBeenCalled());
    const [meetingReads, activityReads] = [be.leadAppointments.mock.calls.length, be.leadActivities.mock.calls.length];
    await be.unmerge(merge_id);
    leadEvents.changed(await be.getLead(11));
    await waitFor(() => expect(screen.queryByTestId('lead-merges')).toBeNull());
    // The meetings and activities the merge had brought went back with the other lead: read again.
    await waitFor(() => expect(be.leadAppointments.mock.calls.length).toBeGreaterThan(meetingReads));
    expect(be.leadActivities.mock.calls.length).toBeGreaterThan(activityReads);
  });

  it('lists each merge, newest first, each with its own Unmerge', async () => {
    const be = survivor();
    await be.mergeLeads(11, [12], [], []);
    await be.mergeLeads(11, [21, 22], [], []);
    const u = openPage();

    await waitFor(() => expect(screen.getAllByTestId('lead-merge')).toHaveLength(2));
    const [newest, oldest] = screen.getAllByTestId('lead-merge');
    expect(newest).toHaveTextContent('Merged from Ada Lovelace and Katherine Johnson on');
    expect(oldest).toHaveTextContent('Merged from Grace Hoper on');

    await u.click(within(oldest).getByTestId('lead-unmerge'));
    await waitFor(() => expect(be.unmerge).toHaveBeenCalledWith(100));
    await waitFor(() => expect(screen.getAllByTestId('lead-merge')).toHaveLength(1));
    expect(screen.getByTestId('lead-merge')).toHaveTextContent('Merged from Ada Lovelace and Katherine Johnson');
    // The focus goes to the Unmerge left.
    await waitFor(() => expect(screen.getByTestId('lead-unmerge')).toHaveFocus());
  });

  it('lists a merge a scan made into the lead while the page is open', async () => {
    const be = survivor({
      scanDuplicates: async () => {
        await be.mergeLeads(11, [12], [], []);
        return { leads: 2, open: 0, kept_apart: 0, enriched: 1, enrichment_stopped: false, enrichment_error: null, seconds: 1 };
      },
    });
    openPage();
    expect(await screen.findByTestId('lead-title')).toBeInTheDocument();
    expect(screen.queryByTestId('lead-merge')).toBeNull();
    await duplicateScan.start();
    await waitFor(() => expect(screen.getByTestId('lead-merge')).toHaveTextContent('Merged from Grace Hoper on'));
  });

  it('says why an unmerge is refused, and drops a merge that is gone', async () => {
    let gone = false;
    const be = survivor({
      leadMerges: async () =>
        gone ? [] : [{ merge_id: 40, at: '2025-03-02T10:00:00.000Z', actor_name: 'Sam Steward', merged: [{ id: 12, name: 'Grace Hoper' }] }],
      unmerge: async () => {
        gone = true;
        throw apiErr({ code: 'not_found', message: 'merge 40 was not found' });
      },
    });
    const u = openPage();
    const notice = await screen.findByTestId('lead-merges');
    expect(notice).toHaveTextContent('by Sam Steward');
    await u.click(within(notice).getByTestId('lead-unmerge'));
    expect(await screen.findByRole('alert')).toHaveTextContent("This merge can't be undone");
    await waitFor(() => expect(screen.queryByTestId('lead-merges')).toBeNull());
    expect(be.unmerge).toHaveBeenCalledWith(40);
  });

  it('shows nothing when no merge can be undone, or when the user may not review duplicates', async () => {
    const be = survivor();
    openPage();
    await screen.findByTestId('lead-title');
    await waitFor(() => expect(be.leadMerges).toHaveBeenCalledWith(11));
    expect(screen.queryByTestId('lead-merges')).toBeNull();
  });

  it('does not ask for the merges without the permission', async () => {
    const be = survivor();
    await be.mergeLeads(11, [12], [], []);
    be.leadMerges.mockClear();
    openPage(false);
    await screen.findByTestId('lead-title');
    await waitFor(() => expect(be.leadHistory).toHaveBeenCalled());
    expect(be.leadMerges).not.toHaveBeenCalled();
    expect(screen.queryByTestId('lead-merges')).toBeNull();
  });
});

describe('The lead page in the app: merges by permission', () => {
  async function leadPageAs(role: 'viewer' | 'editor', me: Partial<User> = {}, owner: Lead['owner'] = null) {
    const be = mockBackend({
      appStatus: async () => ({
        startup_error: null,
        initialized: true,
        session: sessionFor(role, { id: 5, ...me }),
        database_path: 'x',
      }),
      getLead: async (id) => lead({ id, owner }),
    });
    await be.mergeLeads(11, [12], [], []);
    be.leadMerges.mockClear();
    render(App);
    await screen.findByTestId('nav-leads');
    nav.go({ name: 'lead', id: 11 });
    await screen.findByTestId('lead-title');
    return be;
  }

  it('shows the merges to those who review duplicates', async () => {
    const be = await leadPageAs('editor');
    expect(await screen.findByTestId('lead-merges')).toHaveTextContent('Merged from Grace Hoper');
    expect(be.leadMerges).toHaveBeenCalledWith(11);
  });

  it('offers Unmerge only to whom the core lets take it back: a steward, or the owner of the lead', async () => {
    await leadPageAs('editor', {}, { id: 8, name: 'Bo Rep' });
    expect(await screen.findByTestId('lead-merges')).toHaveTextContent('Merged from Grace Hoper');
    expect(screen.queryByTestId('lead-unmerge')).toBeNull();
  });

  it('offers Unmerge to the owner of the lead', async () => {
    await leadPageAs('editor', {}, { id: 5, name: 'Ed Editor' });
    expect(await screen.findByTestId('lead-unmerge')).toBeInTheDocument();
  });

  it('offers Unmerge to a data steward', async () => {
    await leadPageAs('editor', { data_steward: true }, { id: 8, name: 'Bo Rep' });
    expect(await screen.findByTestId('lead-unmerge')).toBeInTheDocument();
  });

  it('does not show them to Viewers', async () => {
    const be = await leadPageAs('viewer');
    await waitFor(() => expect(be.leadHistory).toHaveBeenCalled());
    expect(screen.queryByTestId('lead-merges')).toBeNull();
    expect(be.leadMerges).not.toHaveBeenCalled();
  });
});

describe('Back from a lead', () => {
  it('returns to the page the lead was opened from, and names it', async () => {
    mockBackend({
      appStatus: async () => ({ startup_error: null, initialized: true, session: sessionFor('editor'), database_path: 'x' }),
      getLead: async (id) => lead({ id }),
    });
    const u = userEvent.setup();
    render(App);
    await screen.findByTestId('nav-leads');
    nav.go({ name: 'board' });
    nav.go({ name: 'lead', id: 11 });
    await screen.findByTestId('lead-title');
    expect(screen.getByTestId('back')).toHaveTextContent('Pipeline board');
    await u.click(screen.getByTestId('back'));
    expect(nav.view).toEqual({ name: 'board' });
    // Opened from the list, back goes to the list.
    nav.go({ name: 'leads' });
    nav.go({ name: 'lead', id: 11 });
    await screen.findByTestId('lead-title');
    expect(screen.getByTestId('back')).toHaveTextContent('Leads');
    await u.click(screen.getByTestId('back'));
    expect(nav.view).toEqual({ name: 'leads' });
  });
});

