// What happens when the core adds a text field to its table: the UI must pick it up without a hand edit.
import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { lead, mockBackend } from '../../test/fixtures';
import type { Lead, LeadInput } from '../types';
import { draftFromLead, emptyDraft, toInput } from './leadForm';
import LeadForm from './LeadForm.svelte';

vi.mock('../bindings', async (importOriginal) => {
  const real = await importOriginal<typeof import('../bindings')>();
  const nickname = {
    name: 'nickname',
    label: 'Known as',
    kind: 'text',
    group: 'person',
    path: ['nickname'],
    csv: ['nickname'],
    search: null,
    max_chars: 200,
    editable: true,
  } as const;
  const building = { ...nickname, name: 'building', label: 'Building', group: 'address', path: ['address', 'building'] };
  return { ...real, LEAD_FIELDS: [...real.LEAD_FIELDS, nickname, building] };
});

describe('a text field added to the core table', () => {
  it('is read from the lead and sent back at its path', () => {
    const l = { ...lead(), nickname: 'Amazing Grace', address: { ...lead().address, building: 'Pentagon' } } as Lead;
    const input = toInput(draftFromLead(l)) as LeadInput & { nickname: string; address: { building: string } };
    expect(input.nickname).toBe('Amazing Grace');
    expect(input.address.building).toBe('Pentagon');
    // The known fields are unaffected.
    expect(input.address.city).toBe('Arlington');
    expect((emptyDraft() as unknown as Record<string, string>).nickname).toBe('');
  });

  it('gets its label from the table', async () => {
    // The label table is built when format.ts is first loaded; the test setup may have loaded it before this
    // file's mock of the bindings took effect, so it is loaded afresh here.
    vi.resetModules();
    const format = await import('../format');
    expect(format.fieldLabel('nickname')).toBe('Known as');
  });

  it('gets an input in its section of the form, and its value is saved', async () => {
    const be = mockBackend();
    render(LeadForm, { lead: null, onsaved: vi.fn(), oncancel: vi.fn() });
    const input = within(screen.getByTestId('section-person')).getByLabelText('Known as');
    expect(input).toHaveAttribute('data-testid', 'field-nickname');
    expect(within(screen.getByTestId('section-address')).getByLabelText('Building')).toBeInTheDocument();

    const u = userEvent.setup();
    await u.type(input, 'Amazing Grace');
    await u.click(screen.getByTestId('save-lead'));
    expect(be.createLead.mock.calls[0][0]).toMatchObject({ nickname: 'Amazing Grace' });
  });
});
