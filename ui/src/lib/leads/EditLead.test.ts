import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { apiErr, deferred, lead, mockBackend } from '../../test/fixtures';
import type { Lead } from '../types';
import EditLead from './EditLead.svelte';

function props(over: Partial<{ id: number; lead: Lead | null }> = {}) {
  return { id: 7, lead: null, onsaved: vi.fn(), oncancel: vi.fn(), onback: vi.fn(), ...over };
}

describe('EditLead', () => {
  it('edits the lead it was handed without loading it again', () => {
    const be = mockBackend();
    render(EditLead, props({ lead: lead({ id: 7, first_name: 'Ada' }) }));
    expect(screen.getByTestId('field-first_name')).toHaveValue('Ada');
    expect(be.getLead).not.toHaveBeenCalled();
  });

  it('says it is loading while the lead loads, never an empty view, then shows the form', async () => {
    const answer = deferred<Lead>();
    const be = mockBackend({ getLead: () => answer.promise });
    render(EditLead, props());
    expect(screen.getByTestId('lead-edit-loading')).toHaveTextContent('Loading the lead…');
    expect(be.getLead).toHaveBeenCalledWith(7);
    answer.resolve(lead({ id: 7, first_name: 'Grace' }));
    expect(await screen.findByTestId('lead-form')).toBeInTheDocument();
    expect(screen.getByTestId('field-first_name')).toHaveValue('Grace');
  });

  it('explains a lead that cannot be loaded, retries on request and offers a way back', async () => {
    const be = mockBackend({
      getLead: vi
        .fn()
        .mockRejectedValueOnce(apiErr({ code: 'not_found', message: 'lead 7 does not exist' }))
        .mockResolvedValue(lead({ id: 7 })),
    });
    const p = props();
    render(EditLead, p);
    const error = await screen.findByTestId('lead-edit-error');
    expect(error).toHaveTextContent('lead 7 does not exist');
    const u = userEvent.setup();
    await u.click(screen.getByRole('button', { name: 'Back to leads' }));
    expect(p.onback).toHaveBeenCalledOnce();

    await u.click(screen.getByTestId('lead-edit-retry'));
    await waitFor(() => expect(screen.getByTestId('lead-form')).toBeInTheDocument());
    expect(be.getLead).toHaveBeenCalledTimes(2);
  });
});
