import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { apiErr, change, historyPage, lead, mockBackend, savedLead } from '../../test/fixtures';
import appCss from '../../app.css?raw';
import { localTime } from '../format';
import { toasts } from '../toast.svelte';
import LeadHistory from './LeadHistory.svelte';

const creation = change({
  id: 1,
  batch_id: 1,
  at: '2025-01-01T09:00:00.000Z',
  actor_name: 'Importer Bot',
  actor_id: 5,
  reason: 'import',
  source_ref: 'leads-2025.csv',
  field: '*',
  old_value: null,
  new_value: JSON.stringify({ first_name: 'Ada', last_name: 'Lovelace', source: 'bulk_import', status: 'draft' }),
});

describe('LeadHistory', () => {
  it('shows a field change as "field: old → new" with who, when and why, newest first', async () => {
    const be = mockBackend({
      leadHistory: async () => historyPage([
        change({ id: 3, batch_id: 2, field: 'first_name', old_value: 'Ada', new_value: 'Grace', actor_name: 'Eve Editor', actor_id: 2 }),
        change({ id: 4, batch_id: 2, field: 'stage', old_value: 'new', new_value: 'qualified', actor_name: 'Eve Editor', actor_id: 2 }),
        creation,
      ]),
    });
    render(LeadHistory, {
      leadId: 7,
      stages: [
        { key: 'new', label: 'New', closed: false },
        { key: 'qualified', label: 'Qualified', closed: false },
      ],
    });

    const entries = await screen.findAllByTestId('history-entry');
    expect(be.leadHistory).toHaveBeenCalledWith(7, 500);
    expect(entries).toHaveLength(2);
    const [edit, created] = entries;
    expect(edit).toHaveTextContent('Eve Editor');
    expect(edit).toHaveTextContent('Manual edit');
    const changes = within(edit).getAllByTestId('history-change');
    expect(changes[0]).toHaveTextContent('First name: Ada → Grace');
    // Stage keys are shown as their labels.
    expect(changes[1]).toHaveTextContent('Stage: New → Qualified');
    expect(within(edit).getByTestId('history-when')).toHaveTextContent(/\d{4}.* · .*ago/);

    expect(created).toHaveTextContent('Created');
    expect(created).toHaveTextContent('Importer Bot');
    expect(created).toHaveTextContent('Import');
    expect(created).toHaveTextContent('leads-2025.csv');
    const initial = within(created).getByTestId('history-created');
    expect(initial).toHaveTextContent('First name');
    expect(initial).toHaveTextContent('Ada');
    expect(initial).toHaveTextContent('Lovelace');
    expect(initial).toHaveTextContent('Bulk import');
    expect(initial).toHaveTextContent('Draft');
  });

  it('writes when in full, date and time and how long ago, and never cuts the time off: the line wraps', async () => {
    const at = new Date(Date.now() - 3 * 60_000).toISOString();
    mockBackend({
      leadHistory: async () => historyPage([
        change({ id: 3, batch_id: 2, at, field: 'first_name', old_value: 'Ada', new_value: 'Grace' }),
      ]),
    });
    // The app's stylesheet, as the window has it.
    const sheet = document.createElement('style');
    sheet.textContent = appCss;
    document.head.append(sheet);
    try {
      render(LeadHistory, { leadId: 7, canUndo: true });
      const [entry] = await screen.findAllByTestId('history-entry');
      const when = within(entry).getByTestId('history-when');
      expect(when).toHaveAttribute('datetime', at);
      expect(when).toHaveTextContent(`${localTime(at)} · 3 minutes ago`);

      // The row wraps rather than squeezing the time (the Undo button shares it) …
      const meta = when.parentElement!;
      expect(getComputedStyle(meta).flexWrap).toBe('wrap');
      // … and neither the time nor its parts are clipped with an ellipsis; each part is kept whole.
      for (const el of [when, ...when.querySelectorAll('span')]) {
        const style = getComputedStyle(el);
        expect(style.textOverflow).not.toBe('ellipsis');
        expect(style.overflow).not.toBe('hidden');
      }
      expect(getComputedStyle(within(when).getByTestId('history-ago')).whiteSpace).toBe('nowrap');
      expect(within(when).getByTestId('history-ago')).toHaveTextContent('3 minutes ago');
    } finally {
      sheet.remove();
    }
  });

  it('labels empty values and demo data', async () => {
    mockBackend({
      leadHistory: async () => historyPage([
        change({ id: 9, batch_id: 5, reason: 'demo_data', field: 'company', old_value: '', new_value: 'Acme' }),
      ]),
    });
    render(LeadHistory, { leadId: 7 });
    const [entry] = await screen.findAllByTestId('history-entry');
    expect(entry).toHaveTextContent('Demo data');
    expect(entry).toHaveTextContent('Company: — → Acme');
  });

  it('shows the values kept as invalid as text, and a creation in the order of the form', async () => {
    const REASON = 'needs exactly one @ between a name and a domain, e.g. jane@example.com';
    const bea = JSON.stringify([{ field: 'emails', value: 'bea@', reason: `"bea@" ${REASON}` }]);
    // As the core logs a creation: every non-empty field, keys in alphabetical order.
    const created = change({
      id: 1,
      batch_id: 1,
      field: '*',
      old_value: null,
      new_value: JSON.stringify({
        first_name: 'Bea',
        invalid: bea,
        last_name: 'Lovelace',
        phones: '+442079460018',
        phones_as_entered: '020 7946 0018',
        status: 'draft',
      }),
    });
    mockBackend({
      leadHistory: async () => historyPage([
        change({ id: 2, batch_id: 2, field: 'invalid', old_value: bea, new_value: '' }),
        created,
      ]),
    });
    render(LeadHistory, { leadId: 7 });
    const [edit, creation] = await screen.findAllByTestId('history-entry');

    expect(within(edit).getByTestId('history-change')).toHaveTextContent(
      `Needs fixing: bea@ (email) — ${REASON} → —`,
    );
    const initial = within(creation).getByTestId('history-created');
    expect([...initial.querySelectorAll('dt')].map((dt) => dt.textContent)).toEqual([
      'First name',
      'Last name',
      'Phones',
      'Needs fixing',
      'Status',
      'Phones (as entered)',
    ]);
    expect(within(initial).getByText(`bea@ (email) — ${REASON}`, { selector: 'dd' })).toBeInTheDocument();
    expect(within(initial).getByText('Draft', { selector: 'dd' })).toBeInTheDocument();
    expect(within(initial).getByText('020 7946 0018', { selector: 'dd' })).toBeInTheDocument();
    expect(creation.textContent).not.toContain('[{');
  });

  it('says so when there is no history', async () => {
    mockBackend({ leadHistory: async () => historyPage([]) });
    render(LeadHistory, { leadId: 7 });
    expect(await screen.findByText('No changes recorded.')).toBeInTheDocument();
  });

  it('says when older changes were left out, and reads them on asking', async () => {
    const edits = Array.from({ length: 3 }, (_, i) =>
      change({ id: 10 - i, batch_id: 10 - i, field: 'job_title', old_value: `T${i + 1}`, new_value: `T${i}` }),
    );
    const be = mockBackend({
      leadHistory: vi.fn(async (_id: number, limit: number) => historyPage(edits.slice(0, limit === 500 ? 2 : 3), limit > 500)),
    });
    render(LeadHistory, { leadId: 7 });
    expect(await screen.findAllByTestId('history-entry')).toHaveLength(2);
    await userEvent.setup().click(screen.getByTestId('history-older'));
    await waitFor(() => expect(screen.getAllByTestId('history-entry')).toHaveLength(3));
    expect(be.leadHistory).toHaveBeenLastCalledWith(7, 1000);
    expect(screen.queryByTestId('history-older')).toBeNull();
  });

  it('names owners from the user directory, deactivated ones included', async () => {
    const be = mockBackend({
      leadHistory: async () => historyPage([
        // The core logs the field as `owner`; rows written before it did say `owner_id`.
        change({ id: 5, batch_id: 3, field: 'owner', old_value: '3', new_value: '1' }),
        change({ id: 4, batch_id: 2, field: 'owner_id', old_value: '99', new_value: '3' }),
      ]),
      // Bob left: `owners()` no longer lists him, the directory does.
      owners: async () => [{ id: 1, name: 'Ada Admin' }],
      userDirectory: async () => [
        { id: 1, name: 'Ada Admin' },
        { id: 3, name: 'Bob Former' },
      ],
    });
    render(LeadHistory, { leadId: 7 });
    await waitFor(() => expect(screen.getAllByTestId('history-change')[0]).toHaveTextContent('Owner: Bob Former → Ada Admin'));
    // Only an id nobody knows falls back to a number.
    expect(screen.getAllByTestId('history-change')[1]).toHaveTextContent('Owner: user #99 → Bob Former');
    expect(be.userDirectory).toHaveBeenCalledOnce();
  });

  describe('Undo', () => {
    const rows = [
      change({ id: 3, batch_id: 2, field: 'job_title', old_value: 'Captain', new_value: 'Admiral' }),
      creation,
    ];

    it('is not offered on a merge: an unmerge takes that back', async () => {
      const merged = change({
        id: 4,
        batch_id: 5,
        reason: 'merge',
        source_ref: 'merge of lead 8 into lead 7',
        field: 'job_title',
        old_value: '',
        new_value: 'Admiral',
      });
      mockBackend({ leadHistory: async () => historyPage([merged, ...rows]) });
      render(LeadHistory, { leadId: 7, canUndo: true });
      const [merge, edit] = await screen.findAllByTestId('history-entry');
      expect(merge).toHaveTextContent('merge of lead #8 into this lead');
      expect(within(merge).queryByTestId('history-undo')).toBeNull();
      expect(within(edit).getByTestId('history-undo')).toBeInTheDocument();
    });

    it('is offered on field changes only, asks first, then undoes the batch and reloads', async () => {
      const reverted = lead({ version: 3, job_title: 'Captain' });
      const be = mockBackend({ leadHistory: async () => historyPage(rows), undoLeadChange: async () => savedLead(reverted) });
      const onundone = vi.fn();
      render(LeadHistory, { leadId: 7, canUndo: true, onundone });
      const [edit, created] = await screen.findAllByTestId('history-entry');
      expect(within(created).queryByTestId('history-undo')).toBeNull();
      const u = userEvent.setup();

      // Cancelling the confirmation changes nothing.
      await u.click(within(edit).getByTestId('history-undo'));
      let dialog = await screen.findByTestId('confirm-undo');
      expect(dialog).toHaveTextContent('Undo this change?');
      expect(dialog).toHaveTextContent('It restores the previous values and is recorded as a new change.');
      expect(dialog).toHaveTextContent('Job title: Admiral → Captain');
      await u.click(within(dialog).getByTestId('cancel-undo'));
      expect(screen.queryByTestId('confirm-undo')).toBeNull();
      expect(be.undoLeadChange).not.toHaveBeenCalled();

      await u.click(within(edit).getByTestId('history-undo'));
      dialog = await screen.findByTestId('confirm-undo');
      expect(be.leadHistory).toHaveBeenCalledTimes(1);
      await u.click(within(dialog).getByTestId('confirm-undo-button'));

      await waitFor(() => expect(onundone).toHaveBeenCalledWith(reverted));
      expect(be.undoLeadChange).toHaveBeenCalledExactlyOnceWith(7, 2);
      await waitFor(() => expect(be.leadHistory).toHaveBeenCalledTimes(2));
      expect(screen.queryByTestId('confirm-undo')).toBeNull();
      expect(toasts.items.map((t) => t.message)).toContain('Change undone');
    });

    it('explains a refusal because the fields were edited again since', async () => {
      const be = mockBackend({
        leadHistory: async () => historyPage(rows),
        undoLeadChange: async () => {
          throw apiErr({ code: 'conflict', message: 'this lead was changed by someone else since you opened it' });
        },
      });
      const onundone = vi.fn();
      render(LeadHistory, { leadId: 7, canUndo: true, onundone });
      const u = userEvent.setup();
      await u.click(await screen.findByTestId('history-undo'));
      await u.click(await screen.findByTestId('confirm-undo-button'));
      await waitFor(() =>
        expect(toasts.items).toContainEqual(
          expect.objectContaining({
            kind: 'error',
            message: "This change can't be undone: those fields were edited again since.",
          }),
        ),
      );
      expect(be.undoLeadChange).toHaveBeenCalledWith(7, 2);
      expect(onundone).not.toHaveBeenCalled();
    });

    it('says a creation cannot be undone when the backend refuses it as such', async () => {
      mockBackend({
        leadHistory: async () => historyPage(rows),
        undoLeadChange: async () => {
          throw apiErr({
            code: 'validation',
            message: 'change: a creation cannot be undone; edit the lead instead',
            fields: [{ field: 'change', message: 'a creation cannot be undone; edit the lead instead' }],
          });
        },
      });
      render(LeadHistory, { leadId: 7, canUndo: true });
      const u = userEvent.setup();
      await u.click(await screen.findByTestId('history-undo'));
      await u.click(await screen.findByTestId('confirm-undo-button'));
      await waitFor(() =>
        expect(toasts.items.map((t) => t.message)).toContain(
          "This change can't be undone: it created the lead. Edit the lead instead.",
        ),
      );
    });

    it('is not offered without permission to write leads', async () => {
      mockBackend({ leadHistory: async () => historyPage(rows) });
      render(LeadHistory, { leadId: 7, canUndo: false });
      expect(await screen.findAllByTestId('history-entry')).toHaveLength(2);
      expect(screen.queryByTestId('history-undo')).toBeNull();
    });
  });

  describe('appointment entries', () => {
    // As the core logs a booking: every field as text, the agent by user id.
    const snapshot = JSON.stringify({
      title: 'Demo with Acme',
      start: '2026-12-03T09:00:00Z',
      end: '2026-12-03T10:00:00Z',
      status: 'proposed',
      agent: '1',
      lead: '7',
      location: 'Berlin office',
      video_url: '',
      notes: '',
      confirmation: 'to_send',
      time_zone: 'Europe/Berlin',
      clash: '',
    });
    const moved = { batch_id: 9, entity: 'appointment', entity_id: 31 };
    const rows = [
      change({ ...moved, id: 12, field: 'start', old_value: '2026-12-03T09:00:00Z', new_value: '2026-12-04T13:30:00Z' }),
      change({ ...moved, id: 13, field: 'status', old_value: 'proposed', new_value: 'confirmed' }),
      change({ ...moved, id: 14, field: 'agent', old_value: '1', new_value: '3' }),
      change({ ...moved, id: 15, field: 'attendee:zoe@example.com', old_value: '5', new_value: '7' }),
      change({ ...moved, id: 16, field: 'busy', old_value: 'true', new_value: 'false' }),
      change({
        ...moved,
        id: 17,
        field: 'invitees',
        old_value: 'zoe@example.com',
        new_value: 'ida@example.com; zoe@example.com (accepted)',
      }),
      change({ id: 11, batch_id: 8, entity: 'appointment', entity_id: 31, field: '*', old_value: null, new_value: snapshot }),
      change({ id: 3, batch_id: 2, field: 'job_title', old_value: 'Captain', new_value: 'Admiral' }),
    ];

    it('reads as appointments booked and changed, times in the zone, never as JSON', async () => {
      mockBackend({
        leadHistory: async () => historyPage(rows),
        userDirectory: async () => [
          { id: 1, name: 'Ada Admin' },
          { id: 3, name: 'Dana Editor' },
        ],
      });
      render(LeadHistory, { leadId: 7, canUndo: true });
      const [changed, booked, leadEdit] = await screen.findAllByTestId('history-entry');

      expect(booked).toHaveTextContent('Appointment booked');
      const summary = within(booked).getByTestId('history-appointment');
      const when = localTime('2026-12-03T09:00:00Z');
      await waitFor(() => expect(summary).toHaveTextContent(`Demo with Acme, ${when} with Ada Admin`));
      expect(booked.textContent).not.toContain('{');
      expect(within(booked).queryByTestId('history-created')).toBeNull();

      expect(changed).toHaveTextContent('Appointment changed');
      const changes = within(changed).getAllByTestId('history-change');
      expect(changes[0]).toHaveTextContent(/^Appointment start: .*Dec.* → .*Dec.*$/);
      expect(changes[0].textContent).not.toContain('2026-12-04T13:30:00Z');
      expect(changes[1]).toHaveTextContent('Appointment status: Proposed → Confirmed');
      expect(changes[2]).toHaveTextContent('Appointment agent: Ada Admin → Dana Editor');
      expect(changes[3]).toHaveTextContent('Invitation of zoe@example.com: lead #5 → lead #7');
      expect(changes[4]).toHaveTextContent('Appointment shows as: Busy → Free');
      expect(changes[5]).toHaveTextContent(
        'Appointment invitees: zoe@example.com → ida@example.com; zoe@example.com (accepted)',
      );
      // Not a change of a merged lead, whatever the appointment's id.
      expect(within(changed).queryByTestId('history-from-merged')).toBeNull();

      // Undo belongs to the lead's own field changes only.
      expect(within(changed).queryByTestId('history-undo')).toBeNull();
      expect(within(booked).queryByTestId('history-undo')).toBeNull();
      expect(within(leadEdit).getByTestId('history-undo')).toBeInTheDocument();
    });

    it('shows the start in the zone given', async () => {
      const { toEvents } = await import('./history');
      const [ev] = toEvents([rows[0]], { stages: [], owners: [], zone: 'Asia/Tokyo' }, 7);
      // 13:30Z is 22:30 in Tokyo.
      expect(ev.changes[0].new).toMatch(/^Dec 4, 2026, 10:30\sPM$/);
      expect(ev.entity).toBe('appointment');
    });
  });
});
