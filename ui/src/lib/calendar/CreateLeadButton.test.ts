import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { mockBackend, sessionFor } from '../../test/fixtures';
import { apiError, BackendError } from '../api';
import { session } from '../session.svelte';
import CreateLeadButton from './CreateLeadButton.svelte';

const askedForCampaign = () =>
  new BackendError(
    apiError('validation', "choose the new lead's campaign: Autumn, Spring", [
      { field: 'campaign', message: "choose the new lead's campaign: Autumn, Spring" },
    ]),
  );

describe('Create lead from an attendee', () => {
  afterEach(() => {
    session.current = null;
  });

  it('asks a rep of several campaigns which one, then makes the lead there', async () => {
    session.current = sessionFor('editor', { campaigns: ['Autumn', 'Spring'], all_campaigns: false });
    const be = mockBackend({
      createLeadFromAttendee: async (_id, _email, campaign) => {
        if (!campaign) throw askedForCampaign();
        return 77;
      },
    });
    render(CreateLeadButton, { appointmentId: 5, email: 'new@client.example' });
    const u = userEvent.setup();
    expect(screen.queryByTestId('attendee-lead-campaign')).toBeNull();
    await u.click(screen.getByTestId('attendee-create-lead'));
    const choice = (await screen.findByTestId('attendee-lead-campaign')) as HTMLSelectElement;
    expect([...choice.options].map((o) => o.value)).toEqual(['Autumn', 'Spring']);
    expect(screen.queryByRole('alert')).toBeNull();
    await u.selectOptions(choice, 'Spring');
    await u.click(screen.getByTestId('attendee-create-lead'));
    expect(be.createLeadFromAttendee).toHaveBeenLastCalledWith(5, 'new@client.example', 'Spring');
    expect(await screen.findByTestId('attendee-lead-link')).toBeInTheDocument();
  });

  it('says why when the refusal is of another kind', async () => {
    session.current = sessionFor('editor', { campaigns: ['Autumn', 'Spring'], all_campaigns: false });
    mockBackend({
      createLeadFromAttendee: async () => {
        throw new BackendError(apiError('not_found', 'attendee x does not exist'));
      },
    });
    render(CreateLeadButton, { appointmentId: 5, email: 'x' });
    await userEvent.setup().click(screen.getByTestId('attendee-create-lead'));
    await waitFor(() => expect(screen.getByRole('alert')).toHaveTextContent('Attendee x does not exist'));
    expect(screen.queryByTestId('attendee-lead-campaign')).toBeNull();
  });
});
