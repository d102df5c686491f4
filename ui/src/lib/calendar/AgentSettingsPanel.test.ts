import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { agentCalendar, agentCalendars, occurrence } from '../../test/calendarFixtures';
import { apiErr, deferred, mockBackend } from '../../test/fixtures';
import type { AgentCalendar, CaldavAccount } from '../types';
import { nav } from '../nav.svelte';
import AgentSettingsPanel from './AgentSettingsPanel.svelte';

function open(props: Record<string, unknown> = {}) {
  const onsaved = vi.fn();
  const onclose = vi.fn();
  render(AgentSettingsPanel, { userId: 1, selfId: 1, agents: agentCalendars(), onsaved, onclose, ...props });
  return { onsaved, onclose, u: userEvent.setup() };
}

const account: CaldavAccount = {
  calendar_url: 'https://dav.example.com/agent/calendar/',
  username: 'agent',
  last_sync_at: null,
  last_error: null,
  pending: 0,
};

describe('AgentSettingsPanel', () => {
  it('shows a Viewer the settings read-only, with the export (the core refuses their changes)', async () => {
    const be = mockBackend();
    const { u } = open({ readOnly: true });
    const email = await screen.findByTestId('agent-email');
    expect(email).toBeDisabled();
    expect(screen.getByTestId('agent-reminders')).toBeDisabled();
    expect(screen.queryByTestId('agent-settings-save')).toBeNull();
    expect(screen.queryByTestId('timeoff-add')).toBeNull();
    expect(screen.queryByTestId('caldav-section')).toBeNull();
    expect(screen.getByTestId('agent-settings-read-only')).toHaveTextContent('Viewer');
    await u.click(screen.getByTestId('agent-export-ics'));
    await waitFor(() => expect(be.exportAgentCalendar).toHaveBeenCalledWith(1));
  });

  it('exports the calendar into the Downloads folder and says where, in the dialog', async () => {
    const be = mockBackend();
    const { u } = open();
    await screen.findByTestId('agent-email');
    await u.click(screen.getByTestId('agent-export-ics'));
    expect(await screen.findByTestId('saved-path')).toHaveTextContent('Saved to /home/ada/Downloads/');
    expect(be.exportAgentCalendar).toHaveBeenCalledWith(1);
    const [name, text] = be.saveDownload.mock.calls[0];
    expect(name).toMatch(/\.ics$/);
    expect(screen.getByTestId('saved-path')).toHaveTextContent(name);
    expect(text).toContain('BEGIN:VCALENDAR');
  });

  it('says in the dialog why the calendar could not be exported', async () => {
    mockBackend({
      saveDownload: async () => {
        throw apiErr({ code: 'io', message: 'Could not save Ada.ics in /home/ada/Downloads: permission denied' });
      },
    });
    const { u } = open();
    await screen.findByTestId('agent-email');
    await u.click(screen.getByTestId('agent-export-ics'));
    expect(await screen.findByTestId('save-error')).toHaveTextContent('permission denied');
    expect(screen.queryByTestId('saved-path')).toBeNull();
  });

  it('exports the calendar once however often the button is clicked while it runs', async () => {
    const exporting = deferred<string>();
    const be = mockBackend({ exportAgentCalendar: () => exporting.promise });
    open();
    await screen.findByTestId('agent-email');
    const button = screen.getByTestId('agent-export-ics');
    await fireEvent.click(button);
    await fireEvent.click(button);
    await waitFor(() => expect(button).toBeDisabled());
    expect(button).toHaveAttribute('aria-busy', 'true');
    exporting.resolve('BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n');
    await screen.findByTestId('saved-path');
    expect(button).not.toBeDisabled();
    expect(be.exportAgentCalendar).toHaveBeenCalledOnce();
    expect(be.saveDownload).toHaveBeenCalledOnce();
  });

  it('says a failed save in the backend\'s words alone, and a failed export as one', async () => {
    const be = mockBackend({
      saveDownload: async () => {
        throw apiErr({ code: 'io', message: 'Could not save Ada.ics in /home/ada/Downloads: permission denied' });
      },
    });
    const { u } = open();
    await screen.findByTestId('agent-email');
    await u.click(screen.getByTestId('agent-export-ics'));
    expect(await screen.findByTestId('save-error')).toHaveTextContent(
      /^Could not save Ada\.ics in \/home\/ada\/Downloads: permission denied$/,
    );

    be.exportAgentCalendar.mockRejectedValue(apiErr({ code: 'not_found', message: 'user 1 does not exist' }));
    await u.click(screen.getByTestId('agent-export-ics'));
    await waitFor(() =>
      expect(screen.getByTestId('save-error')).toHaveTextContent(/^Could not export the calendar: User 1 does not exist$/),
    );
  });

  it('saves working hours per weekday with the other settings', async () => {
    const be = mockBackend();
    const { onsaved, u } = open({ canPickAgent: true });
    expect(await screen.findByTestId('agent-email')).toHaveValue('ada@example.com');
    expect(be.agentCalendar).toHaveBeenCalledWith(1);
    expect(screen.getByTestId('wh-day-0')).toBeChecked();
    expect(screen.getByTestId('wh-day-5')).not.toBeChecked();

    // Monday starts later, Friday is off, Saturday morning is worked.
    await u.clear(screen.getByTestId('wh-start-0-0'));
    await u.type(screen.getByTestId('wh-start-0-0'), '10:30');
    await u.click(screen.getByTestId('wh-day-4'));
    await u.click(screen.getByTestId('wh-day-5'));
    await u.clear(screen.getByTestId('wh-end-5-0'));
    await u.type(screen.getByTestId('wh-end-5-0'), '13:00');
    await u.selectOptions(screen.getByTestId('agent-zone'), 'Europe/Lisbon');
    await u.clear(screen.getByTestId('agent-reminders'));
    await u.type(screen.getByTestId('agent-reminders'), '30, 1440');
    await u.clear(screen.getByTestId('agent-territories'));
    await u.type(screen.getByTestId('agent-territories'), 'de, at, ch');
    await u.click(screen.getByTestId('agent-settings-save'));

    await waitFor(() => expect(be.updateAgentCalendar).toHaveBeenCalledOnce());
    const [seen, saved] = be.updateAgentCalendar.mock.calls[0];
    // The settings as read go along, so the backend writes only what the form changed.
    expect(seen).toEqual(agentCalendar());
    expect(saved.user_id).toBe(1);
    expect(saved.working_hours).toEqual([
      { weekday: 0, start: '10:30', end: '17:00' },
      { weekday: 1, start: '09:00', end: '17:00' },
      { weekday: 2, start: '09:00', end: '17:00' },
      { weekday: 3, start: '09:00', end: '17:00' },
      // Switched on, Saturday starts with the hours of the last working day before it.
      { weekday: 5, start: '09:00', end: '13:00' },
    ]);
    expect(saved.time_zone).toBe('Europe/Lisbon');
    expect(saved.reminder_minutes).toEqual([1440, 30]);
    expect(saved.territories).toEqual(['DE', 'AT', 'CH']);
    expect(saved.expertise).toEqual(['german']);
    await waitFor(() => expect(onsaved).toHaveBeenCalledOnce());
  });

  it("shows an agent their share, expertise and territories as an Administrator's, not to be typed over", async () => {
    const be = mockBackend();
    const { u } = open();
    const weight = await screen.findByTestId('agent-weight');
    for (const id of ['agent-weight', 'agent-expertise', 'agent-territories']) {
      expect(screen.getByTestId(id)).toBeDisabled();
    }
    expect(screen.getAllByText('Set by an Administrator.')).toHaveLength(3);
    await u.type(screen.getByTestId('agent-territories'), ', FR');
    await u.type(weight, '0');
    expect(weight).toHaveValue(agentCalendar().weight);
    await u.clear(screen.getByTestId('agent-buffer'));
    await u.type(screen.getByTestId('agent-buffer'), '20');
    await u.click(screen.getByTestId('agent-settings-save'));
    await waitFor(() => expect(be.updateAgentCalendar).toHaveBeenCalledOnce());
    const [seen, saved] = be.updateAgentCalendar.mock.calls[0];
    expect([saved.weight, saved.territories, saved.expertise]).toEqual([seen.weight, seen.territories, seen.expertise]);
    expect(saved.buffer_minutes).toBe(20);
  });

  it('refuses reminders that are not minutes, and shows the backend field errors', async () => {
    const be = mockBackend({
      updateAgentCalendar: async () => {
        throw apiErr({
          code: 'validation',
          message: 'invalid',
          fields: [{ field: 'weight', message: 'must be between 1 and 1000' }],
        });
      },
    });
    const { u } = open();
    await u.clear(await screen.findByTestId('agent-reminders'));
    await u.type(screen.getByTestId('agent-reminders'), '30, soon');
    await u.click(screen.getByTestId('agent-settings-save'));
    expect(await screen.findByTestId('error-reminder_minutes')).toHaveTextContent('“soon” is not a number');
    expect(be.updateAgentCalendar).not.toHaveBeenCalled();

    await u.clear(screen.getByTestId('agent-reminders'));
    await u.click(screen.getByTestId('agent-settings-save'));
    expect(await screen.findByTestId('error-weight')).toHaveTextContent('Weight must be between 1 and 1000');
  });

  it('adds time off in the agent zone and removes it', async () => {
    const be = mockBackend({
      addTimeOff: async (userId, start, end, note) =>
        agentCalendar({ user_id: userId, time_off: [{ id: 8, start, end, note }] }),
    });
    const { u, onsaved } = open();
    await u.type(await screen.findByTestId('timeoff-start'), '2026-12-24T00:00');
    await u.type(screen.getByTestId('timeoff-end'), '2026-12-27T00:00');
    await u.type(screen.getByTestId('timeoff-note'), 'Holidays');
    await u.click(screen.getByTestId('timeoff-add'));
    // Midnight in Berlin is 23:00Z the day before.
    await waitFor(() =>
      expect(be.addTimeOff).toHaveBeenCalledWith(1, '2026-12-23T23:00:00Z', '2026-12-26T23:00:00Z', 'Holidays'),
    );
    const item = await screen.findByTestId('timeoff-item');
    expect(item).toHaveTextContent('Holidays');
    // Its remove button names the period it removes.
    expect(within(item).getByTestId('timeoff-remove')).toHaveAccessibleName(
      /^Remove time off Dec 24, 2026, 12:00\sAM – Dec 27, 2026, 12:00\sAM \(Holidays\)$/,
    );
    expect(onsaved).toHaveBeenCalled();
    await u.click(within(item).getByTestId('timeoff-remove'));
    await waitFor(() => expect(be.removeTimeOff).toHaveBeenCalledWith(1, 8));
    await waitFor(() => expect(screen.queryByTestId('timeoff-item')).toBeNull());
  });

  it('says which meetings are still booked in the time off just added', async () => {
    const be = mockBackend({
      addTimeOff: async (userId, start, end, note) =>
        agentCalendar({ user_id: userId, time_off: [{ id: 8, start, end, note }] }),
      occurrences: vi.fn(async () => [
        occurrence({ agent_id: 1, summary: 'Demo with Acme', start: '2026-12-24T09:00:00Z', end: '2026-12-24T10:00:00Z' }),
        occurrence({ agent_id: 1, summary: 'Cancelled call', status: 'cancelled' }),
      ]),
    });
    const { u } = open();
    await u.type(await screen.findByTestId('timeoff-start'), '2026-12-24T00:00');
    await u.type(screen.getByTestId('timeoff-end'), '2026-12-27T00:00');
    await u.click(screen.getByTestId('timeoff-add'));
    const warning = await screen.findByTestId('timeoff-still-booked');
    expect(be.occurrences).toHaveBeenCalledWith([1], '2026-12-23T23:00:00Z', '2026-12-26T23:00:00Z');
    expect(warning).toHaveTextContent('A meeting is still booked in this time off');
    expect(warning).toHaveTextContent('Demo with Acme');
    expect(warning).not.toHaveTextContent('Cancelled call');
    // Taken back (a mistake): the warning goes with it.
    await u.click(within(await screen.findByTestId('timeoff-item')).getByTestId('timeoff-remove'));
    await waitFor(() => expect(screen.queryByTestId('timeoff-still-booked')).toBeNull());
  });

  it('takes the settings a time-off answer brings where nothing was typed, so a save does not undo them', async () => {
    // An Administrator set the weight to 5 meanwhile: the calendar answered after adding time off holds it.
    const be = mockBackend({
      addTimeOff: async (userId, start, end, note) =>
        agentCalendar({ user_id: userId, weight: 5, time_off: [{ id: 8, start, end, note }] }),
    });
    const { u } = open({ canPickAgent: true });
    await u.clear(await screen.findByTestId('agent-email'));
    await u.type(screen.getByTestId('agent-email'), 'new@rapport.test');
    await u.type(screen.getByTestId('timeoff-start'), '2026-12-24T00:00');
    await u.type(screen.getByTestId('timeoff-end'), '2026-12-27T00:00');
    await u.click(screen.getByTestId('timeoff-add'));
    await screen.findByTestId('timeoff-item');
    expect(screen.getByTestId('agent-weight')).toHaveValue(5);
    expect(screen.getByTestId('agent-email')).toHaveValue('new@rapport.test');
    await u.click(screen.getByTestId('agent-settings-save'));
    await waitFor(() => expect(be.updateAgentCalendar).toHaveBeenCalledOnce());
    const [seen, edit] = be.updateAgentCalendar.mock.calls[0];
    expect(seen.weight).toBe(5);
    expect(edit).toMatchObject({ weight: 5, email: 'new@rapport.test' });
  });

  it('lets administrators pick any agent, and shows CalDAV only for their own calendar', async () => {
    const be = mockBackend();
    const { u } = open({ canPickAgent: true });
    expect(await screen.findByTestId('caldav-section')).toBeInTheDocument();
    await u.selectOptions(screen.getByTestId('agent-settings-agent'), '2');
    await waitFor(() => expect(screen.getByTestId('agent-email')).toHaveValue('dana@example.com'));
    expect(be.agentCalendar).toHaveBeenLastCalledWith(2);
    expect(screen.queryByTestId('caldav-section')).toBeNull();
    expect(screen.getByRole('heading', { name: 'Calendar settings' })).toBeInTheDocument();
  });

  it('asks before another agent drops unsaved edits, and keeps them when the user keeps editing', async () => {
    const be = mockBackend();
    const { u } = open({ canPickAgent: true });
    const email = await screen.findByTestId('agent-email');
    await u.clear(email);
    await u.type(email, 'ada@elsewhere.example');

    await u.selectOptions(screen.getByTestId('agent-settings-agent'), '2');
    expect(await screen.findByTestId('agent-switch-question')).toHaveTextContent("open Dana Editor's");
    expect(screen.getByTestId('agent-settings-agent')).toHaveValue('1');
    expect(be.agentCalendar).not.toHaveBeenCalledWith(2);
    await u.click(screen.getByTestId('agent-switch-keep'));
    expect(screen.queryByTestId('agent-switch-question')).toBeNull();
    expect(screen.getByTestId('agent-email')).toHaveValue('ada@elsewhere.example');

    await u.selectOptions(screen.getByTestId('agent-settings-agent'), '2');
    await u.click(await screen.findByTestId('agent-switch-discard'));
    await waitFor(() => expect(screen.getByTestId('agent-email')).toHaveValue('dana@example.com'));
    expect(screen.getByTestId('agent-settings-agent')).toHaveValue('2');
  });

  it("drops what was typed into one's own CalDAV section once another agent's settings are opened", async () => {
    mockBackend();
    const { onclose, u } = open({ canPickAgent: true });
    await u.type(await screen.findByTestId('caldav-url'), account.calendar_url);
    await u.selectOptions(screen.getByTestId('agent-settings-agent'), '2');
    await u.click(await screen.findByTestId('agent-switch-discard'));
    await waitFor(() => expect(screen.getByTestId('agent-email')).toHaveValue('dana@example.com'));
    expect(screen.queryByTestId('caldav-url')).toBeNull();
    // Nothing typed for this agent: Close closes.
    await u.click(screen.getByTestId('agent-settings-close'));
    expect(onclose).toHaveBeenCalledOnce();
  });

  it('switches at once when nothing was edited', async () => {
    mockBackend();
    const { u } = open({ canPickAgent: true });
    await screen.findByTestId('agent-email');
    await u.selectOptions(screen.getByTestId('agent-settings-agent'), '2');
    await waitFor(() => expect(screen.getByTestId('agent-email')).toHaveValue('dana@example.com'));
    expect(screen.queryByTestId('agent-switch-question')).toBeNull();
  });

  it('says where a calendar was exported only on the panel of the agent it belongs to', async () => {
    const exporting = deferred<string>();
    const be = mockBackend();
    const { u } = open({ canPickAgent: true });
    await screen.findByTestId('agent-email');
    await u.click(screen.getByTestId('agent-export-ics'));
    expect(await screen.findByTestId('saved-path')).toHaveTextContent('Saved to /home/ada/Downloads/');
    await u.selectOptions(screen.getByTestId('agent-settings-agent'), '2');
    await waitFor(() => expect(screen.getByTestId('agent-email')).toHaveValue('dana@example.com'));
    expect(screen.queryByTestId('saved-path')).toBeNull();

    // An export still running when the agent changes: its answer is not Dana's.
    be.exportAgentCalendar.mockImplementation(() => exporting.promise);
    await u.click(screen.getByTestId('agent-export-ics'));
    await u.selectOptions(screen.getByTestId('agent-settings-agent'), '1');
    await waitFor(() => expect(screen.getByTestId('agent-email')).toHaveValue('ada@example.com'));
    exporting.resolve('BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n');
    await waitFor(() => expect(be.saveDownload).toHaveBeenCalledTimes(2));
    await new Promise((r) => setTimeout(r, 0));
    expect(screen.queryByTestId('saved-path')).toBeNull();
  });

  it('holds the agent picker while a save runs, so its answer lands on the agent it was for', async () => {
    const saving = deferred<AgentCalendar>();
    const be = mockBackend({ updateAgentCalendar: () => saving.promise });
    const { u } = open({ canPickAgent: true });
    const email = await screen.findByTestId('agent-email');
    await u.clear(email);
    await u.type(email, 'ada@elsewhere.example');
    await u.selectOptions(screen.getByTestId('agent-settings-agent'), '2');
    await screen.findByTestId('agent-switch-question');
    await u.click(screen.getByTestId('agent-settings-save'));
    await waitFor(() => expect(be.updateAgentCalendar).toHaveBeenCalledOnce());
    expect(screen.getByTestId('agent-settings-agent')).toBeDisabled();
    expect(screen.getByTestId('agent-switch-discard')).toBeDisabled();

    saving.resolve(agentCalendar({ email: 'ada@elsewhere.example' }));
    await waitFor(() => expect(screen.getByTestId('agent-settings-agent')).not.toBeDisabled());
    expect(screen.getByTestId('agent-email')).toHaveValue('ada@elsewhere.example');
    expect(screen.getByTestId('agent-settings-agent')).toHaveValue('1');
    await u.click(screen.getByTestId('agent-switch-discard'));
    await waitFor(() => expect(screen.getByTestId('agent-email')).toHaveValue('dana@example.com'));
    await u.click(screen.getByTestId('agent-settings-save'));
    await waitFor(() => expect(be.updateAgentCalendar).toHaveBeenCalledTimes(2));
    expect(be.updateAgentCalendar.mock.calls[1][1]).toMatchObject({ user_id: 2, email: 'dana@example.com' });
    expect(be.updateAgentCalendar.mock.calls[1][0]).toMatchObject({ user_id: 2, email: 'dana@example.com' });
  });

  it('stays open while it saves: Escape or the backdrop do not lose a refusal', async () => {
    const saving = deferred<AgentCalendar>();
    const be = mockBackend({ updateAgentCalendar: () => saving.promise });
    const { onclose, u } = open();
    await screen.findByTestId('agent-email');
    await u.click(screen.getByTestId('agent-settings-save'));
    await waitFor(() => expect(be.updateAgentCalendar).toHaveBeenCalledOnce());

    const dialog = screen.getByTestId('agent-settings');
    fireEvent.keyDown(dialog, { key: 'Escape' });
    fireEvent.pointerDown(dialog);
    fireEvent.click(dialog);
    expect(onclose).not.toHaveBeenCalled();
    saving.reject(
      apiErr({ code: 'validation', message: 'invalid', fields: [{ field: 'weight', message: 'must be between 1 and 1000' }] }),
    );
    expect(await screen.findByTestId('error-weight')).toHaveTextContent('Weight must be between 1 and 1000');
    expect(onclose).not.toHaveBeenCalled();
  });

  it('asks before Escape or Close drops unsaved settings or time off typed but not added', async () => {
    mockBackend();
    const { onclose, u } = open();
    const email = await screen.findByTestId('agent-email');
    await u.clear(email);
    await u.type(email, 'ada@elsewhere.example');
    await u.keyboard('{Escape}');
    expect(await screen.findByTestId('agent-close-question')).toHaveTextContent('Discard your changes to these settings?');
    expect(onclose).not.toHaveBeenCalled();
    await u.click(screen.getByTestId('agent-close-keep'));
    expect(screen.queryByTestId('agent-close-question')).toBeNull();
    expect(screen.getByTestId('agent-email')).toHaveValue('ada@elsewhere.example');

    // Back as it was, the form alone asks nothing; a note typed for time off not added yet does.
    await u.clear(email);
    await u.type(email, 'ada@example.com');
    await u.type(screen.getByTestId('timeoff-note'), 'Training');
    await u.click(screen.getByTestId('agent-settings-close'));
    expect(await screen.findByTestId('agent-close-question')).toBeInTheDocument();
    expect(onclose).not.toHaveBeenCalled();
    await u.click(screen.getByTestId('agent-close-discard'));
    expect(onclose).toHaveBeenCalledOnce();
  });

  it('stays open while a CalDAV connection runs, and asks before dropping its address and password typed', async () => {
    const connecting = deferred<CaldavAccount>();
    mockBackend({ connectCaldav: () => connecting.promise });
    nav.go({ name: 'calendar' });
    const { onclose, u } = open();
    await u.type(await screen.findByTestId('caldav-url'), account.calendar_url);
    // Typed, not connected: closing (or the sidebar) asks first.
    expect(nav.unsaved).toBe(true);
    await u.keyboard('{Escape}');
    expect(await screen.findByTestId('agent-close-question')).toBeInTheDocument();
    await u.click(screen.getByTestId('agent-close-keep'));
    nav.go({ name: 'leads' });
    expect(await screen.findByTestId('agent-close-question')).toBeInTheDocument();
    expect(nav.view.name).toBe('calendar');
    await u.click(screen.getByTestId('agent-close-keep'));

    await u.type(screen.getByTestId('caldav-user'), 'agent');
    await u.type(screen.getByTestId('caldav-password'), 'wrong-password');
    await u.click(screen.getByTestId('caldav-connect'));
    // While it connects, its answer has to land here: Escape and Close wait.
    fireEvent.keyDown(screen.getByTestId('agent-settings'), { key: 'Escape' });
    expect(screen.getByTestId('agent-settings-close')).toBeDisabled();
    expect(onclose).not.toHaveBeenCalled();
    connecting.reject(apiErr({ code: 'remote', message: 'the server refused the user name or password' }));
    expect(await screen.findByTestId('caldav-error')).toHaveTextContent('The server refused the user name or password');
    expect(onclose).not.toHaveBeenCalled();
  });

  it('forgets a way out asked for once the question is answered by a save: a later Close does not take it', async () => {
    mockBackend();
    nav.go({ name: 'calendar' });
    const { onclose, u } = open();
    const email = await screen.findByTestId('agent-email');
    await u.clear(email);
    await u.type(email, 'ada@elsewhere.example');
    nav.go({ name: 'leads' });
    expect(await screen.findByTestId('agent-close-question')).toBeInTheDocument();
    await u.click(screen.getByTestId('agent-settings-save'));
    await waitFor(() => expect(screen.queryByTestId('agent-close-question')).toBeNull());
    await u.click(screen.getByTestId('agent-settings-close'));
    expect(onclose).toHaveBeenCalledOnce();
    await new Promise((r) => setTimeout(r, 20));
    expect(nav.view.name).toBe('calendar');
  });

  it('closes at once when nothing was typed', async () => {
    mockBackend();
    const { onclose, u } = open();
    await screen.findByTestId('agent-email');
    await u.keyboard('{Escape}');
    expect(onclose).toHaveBeenCalledOnce();
    expect(screen.queryByTestId('agent-close-question')).toBeNull();
  });

  it('offers no agent picker to others', async () => {
    mockBackend();
    open({ canPickAgent: false });
    await screen.findByTestId('agent-email');
    expect(screen.queryByTestId('agent-settings-agent')).toBeNull();
  });

  it('connects CalDAV with the password, clearing the password field once connected', async () => {
    const be = mockBackend();
    const { u } = open();
    await u.type(await screen.findByTestId('caldav-url'), account.calendar_url);
    await u.type(screen.getByTestId('caldav-user'), 'agent');
    const password = screen.getByTestId('caldav-password');
    expect(password).toHaveAttribute('type', 'password');
    expect(screen.getByTestId('caldav-section')).toHaveTextContent('Stored in your system keychain');
    await u.type(password, 'caldav-secret-1');
    await u.click(screen.getByTestId('caldav-connect'));

    await waitFor(() => expect(be.connectCaldav).toHaveBeenCalledOnce());
    expect(be.connectCaldav).toHaveBeenCalledWith({
      calendar_url: account.calendar_url,
      username: 'agent',
      password: 'caldav-secret-1',
    });
    const shown = await screen.findByTestId('caldav-account');
    expect(shown).toHaveTextContent(account.calendar_url);
    expect(shown).toHaveTextContent('Never');
    expect(document.body.innerHTML).not.toContain('caldav-secret-1');
  });

  it("finds the calendars from the server's address and connects the one chosen among several", async () => {
    const work = { url: 'https://cloud.example.com/remote.php/dav/calendars/agent/work/', name: 'Work' };
    const home = { url: 'https://cloud.example.com/remote.php/dav/calendars/agent/personal/', name: 'Personal' };
    const be = mockBackend({ caldavCalendars: vi.fn(async () => [home, work]) });
    const { u } = open();
    await u.type(await screen.findByTestId('caldav-url'), 'https://cloud.example.com');
    await u.type(screen.getByTestId('caldav-user'), 'agent');
    await u.type(screen.getByTestId('caldav-password'), 'caldav-secret-1');
    await u.click(screen.getByTestId('caldav-connect'));

    const choices = await screen.findByTestId('caldav-choices');
    expect(choices).toHaveTextContent('You have 2 calendars there');
    expect(choices).toHaveTextContent('Work');
    expect(choices).toHaveTextContent(work.url);
    expect(be.connectCaldav).not.toHaveBeenCalled();
    expect(screen.getByTestId('caldav-connect')).toHaveTextContent('Connect this calendar');
    await u.click(screen.getByLabelText(/Work/));
    await u.click(screen.getByTestId('caldav-connect'));

    await waitFor(() => expect(be.connectCaldav).toHaveBeenCalledOnce());
    expect(be.caldavCalendars).toHaveBeenCalledOnce();
    expect(be.caldavCalendars).toHaveBeenCalledWith({
      calendar_url: 'https://cloud.example.com',
      username: 'agent',
      password: 'caldav-secret-1',
    });
    expect(be.connectCaldav).toHaveBeenCalledWith({ calendar_url: work.url, username: 'agent', password: 'caldav-secret-1' });
    expect(await screen.findByTestId('caldav-account')).toHaveTextContent(work.url);
  });

  it('looks again once the address is changed after its calendars were listed', async () => {
    const found = vi
      .fn()
      .mockResolvedValueOnce([
        { url: 'https://a.example.com/cal/one/', name: 'One' },
        { url: 'https://a.example.com/cal/two/', name: 'Two' },
      ])
      .mockResolvedValueOnce([{ url: 'https://b.example.com/cal/only/', name: 'Only' }]);
    const be = mockBackend({ caldavCalendars: found });
    const { u } = open();
    await u.type(await screen.findByTestId('caldav-url'), 'https://a.example.com');
    await u.type(screen.getByTestId('caldav-user'), 'agent');
    await u.type(screen.getByTestId('caldav-password'), 'pw');
    await u.click(screen.getByTestId('caldav-connect'));
    expect(await screen.findByTestId('caldav-choices')).toBeInTheDocument();
    await u.clear(screen.getByTestId('caldav-url'));
    await u.type(screen.getByTestId('caldav-url'), 'https://b.example.com');
    // The list belonged to the other address.
    expect(screen.queryByTestId('caldav-choices')).toBeNull();
    await u.click(screen.getByTestId('caldav-connect'));
    await waitFor(() => expect(be.connectCaldav).toHaveBeenCalledOnce());
    expect(found).toHaveBeenCalledTimes(2);
    expect(be.connectCaldav).toHaveBeenCalledWith({
      calendar_url: 'https://b.example.com/cal/only/',
      username: 'agent',
      password: 'pw',
    });
  });

  it('shows a keychain error clearly and keeps what was typed, the password too, to try again', async () => {
    mockBackend({
      connectCaldav: async () => {
        throw apiErr({ code: 'keychain', message: 'no system keychain is available (Secret Service not running)' });
      },
    });
    const { u } = open();
    await u.type(await screen.findByTestId('caldav-url'), account.calendar_url);
    await u.type(screen.getByTestId('caldav-user'), 'agent');
    await u.type(screen.getByTestId('caldav-password'), 'caldav-secret-1');
    await u.click(screen.getByTestId('caldav-connect'));
    const error = await screen.findByTestId('caldav-error');
    expect(error).toHaveAttribute('data-code', 'keychain');
    expect(error).toHaveTextContent('No system keychain is available (Secret Service not running)');
    expect(error).toHaveTextContent('Unlock the keychain');
    // What was typed stays, to try again once the keychain is unlocked.
    expect(screen.getByTestId('caldav-password')).toHaveValue('caldav-secret-1');
    expect(screen.getByTestId('caldav-url')).toHaveValue(account.calendar_url);
  });

  it('syncs now and shows the report, and a server that cannot be reached', async () => {
    const be = mockBackend({
      caldavAccount: vi
        .fn()
        .mockResolvedValueOnce({ ...account, pending: 2, last_error: 'connection refused' })
        .mockResolvedValue({ ...account, last_sync_at: new Date().toISOString() }),
      syncCaldav: vi
        .fn()
        .mockResolvedValueOnce({
          pulled: 3,
          pushed: 2,
          removed: 1,
          clashes: ['“Lunch” overlaps “Demo with Acme”'],
          conflicts: ['“Review” was changed here and on the server: your version is kept, as the CRM is the master record'],
          refused: ['“Huge” was refused by the server (413): it is kept here and sent again at the next sync'],
          problems: ['abc-123.ics: “Dentist”: this file has an older version (SEQUENCE 1 < 3): kept the newer one'],
        })
        .mockRejectedValueOnce(apiErr({ code: 'remote', message: 'the CalDAV server refused the password (401)' })),
    });
    const { u, onsaved } = open();
    expect(await screen.findByTestId('caldav-last-error')).toHaveTextContent('connection refused');
    expect(screen.getByTestId('caldav-pending')).toHaveTextContent('2 changes waiting to be sent');

    const scrolled: Element[] = [];
    const scrollIntoView = vi.fn(function (this: Element) {
      scrolled.push(this);
    });
    Object.defineProperty(Element.prototype, 'scrollIntoView', { value: scrollIntoView, configurable: true });
    onTestFinished(() => {
      delete (Element.prototype as { scrollIntoView?: unknown }).scrollIntoView;
    });
    await u.click(screen.getByTestId('caldav-sync'));
    expect(await screen.findByTestId('caldav-report')).toHaveTextContent('Synced: 3 pulled, 2 pushed, 1 removed.');
    expect(screen.getByTestId('caldav-clashes')).toHaveTextContent('“Lunch” overlaps “Demo with Acme”');
    expect(screen.getByTestId('caldav-conflicts')).toHaveTextContent(
      '1 appointment changed both here and on the server: “Review” was changed here and on the server',
    );
    expect(screen.getByTestId('caldav-refused')).toHaveTextContent(
      '1 appointment not taken by the server: “Huge” was refused by the server (413)',
    );
    expect(screen.getByTestId('caldav-problems')).toHaveTextContent(
      'Not taken from the server as they are (1): abc-123.ics: “Dentist”: this file has an older version',
    );
    // What the sync said is brought into view: it lands below the fold of the settings.
    await waitFor(() => expect(scrolled.at(-1)).toContainElement(screen.getByTestId('caldav-conflicts')));
    expect(scrolled.at(-1)).toContainElement(screen.getByTestId('caldav-report'));
    await waitFor(() => expect(screen.getByTestId('caldav-pending')).toHaveTextContent('Nothing to send'));
    expect(screen.queryByTestId('caldav-last-error')).toBeNull();
    expect(onsaved).toHaveBeenCalled();

    await u.click(screen.getByTestId('caldav-sync'));
    const error = await screen.findByTestId('caldav-error');
    await waitFor(() => expect(scrolled.at(-1)).toBe(error));
    expect(error).toHaveAttribute('data-code', 'remote');
    expect(error).toHaveTextContent('The CalDAV server refused the password (401)');

    await u.click(screen.getByTestId('caldav-disconnect'));
    await u.click(await screen.findByTestId('caldav-disconnect-confirm'));
    await waitFor(() => expect(be.disconnectCaldav).toHaveBeenCalledOnce());
    expect(await screen.findByTestId('caldav-form')).toBeInTheDocument();
  });

  it('asks before Disconnect forgets the account, and says how many changes would not be sent', async () => {
    const be = mockBackend({ caldavAccount: async () => ({ ...account, pending: 3 }) });
    const { u } = open();
    await u.click(await screen.findByTestId('caldav-disconnect'));
    const question = await screen.findByTestId('caldav-disconnect-question');
    expect(question).toHaveTextContent('Disconnect this calendar?');
    expect(question).toHaveTextContent('3 changes waiting to be sent will not be sent.');
    expect(be.disconnectCaldav).not.toHaveBeenCalled();
    await u.click(screen.getByTestId('caldav-disconnect-keep'));
    expect(screen.queryByTestId('caldav-disconnect-question')).toBeNull();
    expect(screen.getByTestId('caldav-account')).toBeInTheDocument();
    expect(be.disconnectCaldav).not.toHaveBeenCalled();

    await u.click(screen.getByTestId('caldav-disconnect'));
    await u.click(await screen.findByTestId('caldav-disconnect-confirm'));
    await waitFor(() => expect(be.disconnectCaldav).toHaveBeenCalledOnce());
    expect(await screen.findByTestId('caldav-form')).toBeInTheDocument();
  });
});
