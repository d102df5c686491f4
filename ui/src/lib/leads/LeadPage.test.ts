import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { lead, mockBackend } from '../../test/fixtures';
import LeadPage from './LeadPage.svelte';

describe('LeadPage', () => {
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
});
