import { render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { appointment } from '../../test/calendarFixtures';
import { mockBackend } from '../../test/fixtures';
import AppointmentPanel from './AppointmentPanel.svelte';
import { formatSpan } from './labels';
import { inputOf } from './booking';

describe('AppointmentPanel', () => {
  // A calendar file may name its own zone ("Customized Time Zone" from Exchange, "Europe_London" with its
  // VTIMEZONE): the core keeps that name, which no browser knows.
  it("shows a meeting whose zone is a file's own name, and saves it in the agent's zone", async () => {
    const a = appointment({ id: 5, title: 'Board', time_zone: 'Customized Time Zone' });
    mockBackend({ appointment: async () => a });
    render(AppointmentPanel, { appointmentId: 5, zone: 'Europe/Berlin', canWrite: true, onclose: vi.fn() });
    const when = await screen.findByTestId('appointment-when');
    expect(when).toHaveTextContent(formatSpan(a.start, a.end, 'Europe/Berlin'));
    expect(when).not.toHaveTextContent('Booked in');
    expect(inputOf(a).time_zone).toBe('');
  });

  it('says the zone a meeting was booked in when it is another real one', async () => {
    const a = appointment({ id: 6, title: 'Call', time_zone: 'America/New_York' });
    mockBackend({ appointment: async () => a });
    render(AppointmentPanel, { appointmentId: 6, zone: 'Europe/Berlin', canWrite: true, onclose: vi.fn() });
    const when = await screen.findByTestId('appointment-when');
    expect(when).toHaveTextContent(`Booked in America/New_York`);
    expect(inputOf(a).time_zone).toBe('America/New_York');
  });
});
