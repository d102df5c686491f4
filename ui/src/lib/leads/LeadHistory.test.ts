import { render, screen, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { change, mockBackend } from '../../test/fixtures';
import LeadHistory from './LeadHistory.svelte';

const creation = change({
  id: 1,
  batch_id: 1,
  at: '2025-01-01T09:00:00.000Z',
  actor_name: 'Importer Bot',
  reason: 'import',
  source_ref: 'leads-2025.csv',
  field: '*',
  old_value: null,
  new_value: JSON.stringify({ first_name: 'Ada', last_name: 'Lovelace', source: 'bulk_import', status: 'draft' }),
});

describe('LeadHistory', () => {
  it('shows a field change as "field: old → new" with who, when and why, newest first', async () => {
    const be = mockBackend({
      leadHistory: async () => [
        change({ id: 3, batch_id: 2, field: 'first_name', old_value: 'Ada', new_value: 'Grace', actor_name: 'Eve Editor' }),
        change({ id: 4, batch_id: 2, field: 'stage', old_value: 'new', new_value: 'qualified', actor_name: 'Eve Editor' }),
        creation,
      ],
    });
    render(LeadHistory, {
      leadId: 7,
      stages: [
        { key: 'new', label: 'New', closed: false },
        { key: 'qualified', label: 'Qualified', closed: false },
      ],
    });

    const entries = await screen.findAllByTestId('history-entry');
    expect(be.leadHistory).toHaveBeenCalledWith(7);
    expect(entries).toHaveLength(2);
    const [edit, created] = entries;
    expect(edit).toHaveTextContent('Eve Editor');
    expect(edit).toHaveTextContent('Manual edit');
    const changes = within(edit).getAllByTestId('history-change');
    expect(changes[0]).toHaveTextContent('First name: Ada → Grace');
    // Stage keys are shown as their labels.
    expect(changes[1]).toHaveTextContent('Stage: New → Qualified');
    expect(within(edit).getByText(/ago|\d{4}/, { selector: 'time' })).toBeInTheDocument();

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

  it('labels empty values and demo data', async () => {
    mockBackend({
      leadHistory: async () => [
        change({ id: 9, batch_id: 5, reason: 'demo_data', field: 'company', old_value: '', new_value: 'Acme' }),
      ],
    });
    render(LeadHistory, { leadId: 7 });
    const [entry] = await screen.findAllByTestId('history-entry');
    expect(entry).toHaveTextContent('Demo data');
    expect(entry).toHaveTextContent('Company: (empty) → Acme');
  });

  it('says so when there is no history', async () => {
    mockBackend({ leadHistory: async () => [] });
    render(LeadHistory, { leadId: 7 });
    expect(await screen.findByText('No changes recorded.')).toBeInTheDocument();
  });
});
