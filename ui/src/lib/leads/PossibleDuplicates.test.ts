import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { deferred, lead, mockBackend } from '../../test/fixtures';
import type { Backend } from '../api';
import { nav } from '../nav.svelte';
import type { LeadInput, PossibleDuplicate } from '../types';
import LeadForm from './LeadForm.svelte';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

function setup(over: Partial<Backend> = {}, leadToEdit: ReturnType<typeof lead> | null = null) {
  const be = mockBackend(over);
  const onsaved = vi.fn();
  render(LeadForm, { lead: leadToEdit, onsaved, oncancel: vi.fn(), onundone: vi.fn() });
  return { be, onsaved, u: userEvent.setup() };
}

const rows = () =>
  within(screen.getByTestId('possible-duplicates'))
    .getAllByTestId('possible-duplicate')
    .map((li) => li.textContent?.replace(/\s+/g, ' ').trim());

function possible(id: number, first: string, last: string, score: number): PossibleDuplicate {
  return { lead: lead({ id, first_name: first, last_name: last, company: '' }), score, tier: 'review', evidence: [] };
}

describe('LeadForm: this lead may already exist', () => {
  it('asks once typing pauses after a name and an email, and lists the leads found, best first', async () => {
    // The clock moves only when told: a loaded machine's pause between two keys is no pause in the typing.
    vi.useFakeTimers({ shouldAdvanceTime: false });
    try {
      const be = mockBackend();
      render(LeadForm, { lead: null, onsaved: vi.fn(), oncancel: vi.fn(), onundone: vi.fn() });
      const u = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
      await u.type(screen.getByTestId('field-first_name'), 'Grace');
      await u.type(screen.getByTestId('field-last_name'), 'Hopper');
      await u.type(screen.getByTestId('field-email-0'), 'grace@navy.mil');
      // Not while typing, nor before a pause of 400 ms.
      await vi.advanceTimersByTimeAsync(390);
      expect(be.possibleDuplicates).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(10);

      const notice = await vi.waitFor(() => screen.getByTestId('possible-duplicates'));
      expect(be.possibleDuplicates).toHaveBeenCalledOnce();
      const input = be.possibleDuplicates.mock.calls[0][0] as LeadInput;
      expect(input).toMatchObject({ first_name: 'Grace', last_name: 'Hopper', emails: ['grace@navy.mil'] });
      expect(notice).toHaveTextContent('This lead may already exist:');
      // The mock's leads with that address: Grace Hopper of US Navy, and Grace Hoper.
      expect(rows()).toEqual(['Grace Hopper US Navy 90% match Open', 'Grace Hoper 60% match Open']);
      // Under the contact points.
      expect(screen.getByTestId('section-contact')).toContainElement(notice);
      // Said once, politely, by the region it appears in.
      expect(notice.closest('[aria-live="polite"]')).not.toBeNull();
      await vi.advanceTimersByTimeAsync(500);
      expect(be.possibleDuplicates).toHaveBeenCalledOnce();
    } finally {
      vi.useRealTimers();
    }
  });

  it('asks with a phone too, and does not ask without a name or a contact point', async () => {
    const { be, u } = setup();
    await u.type(screen.getByTestId('field-email-0'), 'grace@navy.mil');
    await pause(550);
    // No name yet.
    expect(be.possibleDuplicates).not.toHaveBeenCalled();
    await u.clear(screen.getByTestId('field-email-0'));
    await u.type(screen.getByTestId('field-first_name'), 'Grace');
    await u.type(screen.getByTestId('field-last_name'), 'Hopper');
    await pause(550);
    // No email or phone.
    expect(be.possibleDuplicates).not.toHaveBeenCalled();

    await u.type(screen.getByTestId('field-phone-0'), '020 7946 0018');
    await waitFor(() => expect(be.possibleDuplicates).toHaveBeenCalledOnce(), { timeout: 2000 });
    expect(be.possibleDuplicates.mock.calls[0][0]).toMatchObject({ last_name: 'Hopper', phones: ['020 7946 0018'] });
    // Only Grace Hopper (lead 11) has that number, written the international way.
    await waitFor(() => expect(rows()).toEqual(['Grace Hopper US Navy 60% match Open']));

    // Without a contact point the notice goes.
    await u.clear(screen.getByTestId('field-phone-0'));
    await waitFor(() => expect(screen.queryByTestId('possible-duplicates')).toBeNull());
  });

  it('shows only the answer to the latest input, whatever order the answers come in', async () => {
    const answers = [deferred<PossibleDuplicate[]>(), deferred<PossibleDuplicate[]>()];
    let call = 0;
    const { be, u } = setup({ possibleDuplicates: () => answers[call++].promise });
    await u.type(screen.getByTestId('field-last_name'), 'Hopper');
    await u.type(screen.getByTestId('field-email-0'), 'grace@navy.mil');
    await waitFor(() => expect(be.possibleDuplicates).toHaveBeenCalledTimes(1), { timeout: 2000 });

    await u.clear(screen.getByTestId('field-email-0'));
    await u.type(screen.getByTestId('field-email-0'), 'ada@example.com');
    await waitFor(() => expect(be.possibleDuplicates).toHaveBeenCalledTimes(2), { timeout: 2000 });
    expect(be.possibleDuplicates.mock.calls[1][0]).toMatchObject({ emails: ['ada@example.com'] });

    answers[1].resolve([possible(21, 'Ada', 'Lovelace', 0.8)]);
    await waitFor(() => expect(rows()).toEqual(['Ada Lovelace 80% match Open']));
    // The older question answers last: its answer is dropped.
    answers[0].resolve([possible(11, 'Grace', 'Hopper', 0.9)]);
    await pause(50);
    expect(rows()).toEqual(['Ada Lovelace 80% match Open']);
  });

  it('never holds up a save', async () => {
    const { be, u, onsaved } = setup({ possibleDuplicates: () => new Promise(() => {}) });
    await u.type(screen.getByTestId('field-first_name'), 'Grace');
    await u.type(screen.getByTestId('field-email-0'), 'grace@navy.mil');
    await waitFor(() => expect(be.possibleDuplicates).toHaveBeenCalled(), { timeout: 2000 });
    // The check has not answered: the save goes ahead all the same.
    expect(screen.getByTestId('save-lead')).toBeEnabled();
    await u.click(screen.getByTestId('save-lead'));
    await waitFor(() => expect(onsaved).toHaveBeenCalled());
    expect(be.createLead).toHaveBeenCalledOnce();
  });

  it('opens an existing lead instead, once the user agrees to drop the new one', async () => {
    const { be, u } = setup();
    await u.type(screen.getByTestId('field-first_name'), 'Grace');
    await u.type(screen.getByTestId('field-email-0'), 'grace@navy.mil');
    const notice = await screen.findByTestId('possible-duplicates', {}, { timeout: 2000 });
    const open = within(notice).getByRole('button', { name: 'Open Grace Hopper' });

    await u.click(open);
    const confirm = await screen.findByTestId('confirm-discard');
    expect(confirm).toHaveAccessibleName('Discard this new lead?');
    await u.click(within(confirm).getByTestId('keep-editing'));
    expect(nav.view).toEqual({ name: 'leads' });
    expect(screen.getByTestId('field-email-0')).toHaveValue('grace@navy.mil');

    await u.click(open);
    const again = await screen.findByTestId('confirm-discard');
    await u.click(within(again).getByRole('button', { name: 'Discard and open Grace Hopper' }));
    expect(nav.view).toEqual({ name: 'lead', id: 11 });
    expect(be.createLead).not.toHaveBeenCalled();
  });

  it('does not check while editing a lead', async () => {
    const { be, u } = setup({}, lead());
    await u.clear(screen.getByTestId('field-email-0'));
    await u.type(screen.getByTestId('field-email-0'), 'grace@navy.mil');
    await pause(600);
    expect(be.possibleDuplicates).not.toHaveBeenCalled();
    expect(screen.queryByTestId('possible-duplicates')).toBeNull();
  });
});
