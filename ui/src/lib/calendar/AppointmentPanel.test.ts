import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { appointment } from '../../test/calendarFixtures';
import { mockBackend } from '../../test/fixtures';
import AppointmentPanel from './AppointmentPanel.svelte';
import { formatSpan } from './labels';
import { inputOf } from './booking';

describe('AppointmentPanel', () => {
  it('shows the meeting as it is once an attendee is made a lead, and tells the calendar behind', async () => {
    const before = appointment({
      id: 7,
      title: 'Intro',
      lead_id: null,
      attendees: [{ email: 'new@acme.example', name: 'Nia New', response: '', lead_id: null, colleague: null }],
    });
    const after = { ...before, version: before.version + 1, lead_id: 40, lead_name: 'Nia New' };
    let current = before;
    const be = mockBackend({
      appointment: vi.fn(async () => current),
      createLeadFromAttendee: vi.fn(async () => {
        current = after;
        return 40;
      }),
    });
    const onchanged = vi.fn();
    render(AppointmentPanel, { appointmentId: 7, zone: 'Europe/Berlin', canWrite: true, onchanged, onclose: vi.fn() });
    await userEvent.setup().click(await screen.findByTestId('attendee-create-lead'));
    expect(await screen.findByTestId('appointment-lead')).toHaveTextContent('Nia New');
    expect(be.appointment).toHaveBeenCalledTimes(2);
    await waitFor(() => expect(onchanged).toHaveBeenCalledWith(after));
  });


  // The webview drops a link that leaves the app (a target="_blank" did nothing): the shell opens it.
  it('opens the video link in the browser through the shell', async () => {
    const a = appointment({ id: 6, title: 'Demo', video_url: 'https://meet.example.com/abc-defg-hij' });
    const be = mockBackend({ appointment: async () => a });
    render(AppointmentPanel, { appointmentId: 6, zone: 'Europe/Berlin', canWrite: true, onclose: vi.fn() });
    const link = await screen.findByTestId('appt-video-link');
    expect(link).toHaveAttribute('href', a.video_url);
    expect(link).not.toHaveAttribute('target');
    await userEvent.setup().click(link);
    expect(be.openLink).toHaveBeenCalledWith('https://meet.example.com/abc-defg-hij');
  });

  it("opens an attendee's email in the mail program, named or not", async () => {
    const a = appointment({
      id: 8,
      title: 'Review',
      attendees: [
        { email: 'nia@acme.example', name: 'Nia New', response: 'ACCEPTED', lead_id: null, colleague: null },
        { email: 'ops@acme.example', name: '', response: '', lead_id: null, colleague: null },
      ],
    });
    const be = mockBackend({ appointment: async () => a });
    render(AppointmentPanel, { appointmentId: 8, zone: 'Europe/Berlin', canWrite: true, onclose: vi.fn() });
    const links = await screen.findAllByTestId('attendee-email');
    expect(links.map((l) => l.getAttribute('href'))).toEqual(['mailto:nia@acme.example', 'mailto:ops@acme.example']);
    expect(links[0]).toHaveAccessibleName('Email Nia New');
    await userEvent.setup().click(links[1]);
    expect(be.openLink).toHaveBeenCalledWith('mailto:ops@acme.example');
  });

  it('shows a colleague invited along as a colleague, with no way to make them a lead', async () => {
    const a = appointment({
      id: 9,
      title: 'Pitch',
      attendees: [
        { email: 'dana@rapport.test', name: 'Dana', response: 'ACCEPTED', lead_id: null, colleague: 'Dana Agent' },
        { email: 'buyer@acme.example', name: 'Bea Buyer', response: '', lead_id: null, colleague: null },
      ],
    });
    mockBackend({ appointment: async () => a });
    render(AppointmentPanel, { appointmentId: 9, zone: 'Europe/Berlin', canWrite: true, onclose: vi.fn() });
    const rows = await screen.findAllByTestId('attendee');
    expect(within(rows[0]).getByTestId('attendee-colleague')).toHaveTextContent('Colleague');
    expect(within(rows[0]).queryByTestId('attendee-create-lead')).toBeNull();
    expect(within(rows[1]).getByTestId('attendee-create-lead')).toBeInTheDocument();
  });

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
