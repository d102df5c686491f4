import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { agentCalendars, icsReport } from '../../test/calendarFixtures';
import { apiErr, deferred, mockBackend, sessionFor } from '../../test/fixtures';
import type { Backend } from '../api';
import { nav } from '../nav.svelte';
import { session } from '../session.svelte';
import type { IcsFileReport } from '../types';
import IcsImportDialog from './IcsImportDialog.svelte';

const ICS = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n';

/** A file as a file picker hands it: picked twice, the same name, size and time. */
function ics(name: string, text = ICS, lastModified = 1_764_000_000_000): File {
  return new File([text], name, { type: 'text/calendar', lastModified });
}

function open(props: Record<string, unknown> = {}, role: 'editor' | 'administrator' = 'administrator') {
  session.current = sessionFor(role, { id: 1 });
  const onimported = vi.fn();
  const onclose = vi.fn();
  render(IcsImportDialog, { agents: agentCalendars(), onimported, onclose, ...props });
  return { onimported, onclose, u: userEvent.setup() };
}

describe('IcsImportDialog', () => {
  it('imports several files one call each, into the chosen agent, and reports each file', async () => {
    const be = mockBackend({
      importIcs: async (files) => [
        files[0].name === 'a.ics'
          ? icsReport({ file: 'a.ics', created: 3, updated: 1, unchanged: 2 })
          : icsReport({ file: 'b.ics', created: 0, cancelled: 1 }),
      ],
    });
    const { onimported, u } = open();
    expect(screen.getByTestId('ics-import-submit')).toBeDisabled();
    await u.upload(screen.getByTestId('ics-import-input'), [ics('a.ics', 'A'), ics('b.ics', 'BB')]);
    expect(screen.getAllByTestId('ics-import-file')).toHaveLength(2);
    await u.selectOptions(screen.getByTestId('ics-import-agent'), '2');
    await u.click(screen.getByTestId('ics-import-submit'));

    const report = await screen.findByTestId('ics-import-report');
    expect(be.importIcs).toHaveBeenCalledTimes(2);
    const [[first, agentA], [second, agentB]] = be.importIcs.mock.calls;
    expect(first.map((f) => f.name)).toEqual(['a.ics']);
    expect(new TextDecoder().decode(first[0].bytes)).toBe('A');
    expect(second.map((f) => f.name)).toEqual(['b.ics']);
    expect([agentA, agentB]).toEqual([2, 2]);
    expect(onimported).toHaveBeenCalledTimes(2);

    expect(report).toHaveTextContent('2 files imported: 3 created, 1 updated, 1 cancelled.');
    const [a, b] = within(report).getAllByTestId('ics-file-report');
    expect(within(a).getByTestId('ics-count-created')).toHaveTextContent('3');
    expect(within(a).getByTestId('ics-count-updated')).toHaveTextContent('1');
    expect(within(a).getByTestId('ics-count-unchanged')).toHaveTextContent('2');
    expect(within(b).getByTestId('ics-count-cancelled')).toHaveTextContent('1');
    expect(report).toHaveFocus();
  });

  it("imports into the user's own calendar when no agent is chosen, and offers only the others besides", async () => {
    const be = mockBackend();
    const { u } = open();
    const options = within(screen.getByTestId('ics-import-agent')).getAllByRole('option');
    expect(options.map((o) => o.textContent)).toEqual(['Me', 'Dana Editor']);
    await u.upload(screen.getByTestId('ics-import-input'), [ics('a.ics')]);
    await u.click(screen.getByTestId('ics-import-submit'));
    await screen.findByTestId('ics-import-report');
    expect(be.importIcs.mock.calls[0][1]).toBeNull();
  });

  it("gives an Editor no choice of calendar: only an Administrator fills someone else's", async () => {
    const be = mockBackend();
    const { u } = open({}, 'editor');
    expect(screen.queryByTestId('ics-import-agent')).toBeNull();
    expect(screen.getByTestId('ics-import-own')).toHaveTextContent('your calendar');
    await u.upload(screen.getByTestId('ics-import-input'), [ics('a.ics')]);
    await u.click(screen.getByTestId('ics-import-submit'));
    await screen.findByTestId('ics-import-report');
    expect(be.importIcs.mock.calls[0][1]).toBeNull();
  });

  it('shows "Importing 2 of 5 files…" while the files are sent one after the other', async () => {
    const answers = Array.from({ length: 5 }, () => deferred<IcsFileReport[]>());
    let call = 0;
    mockBackend({ importIcs: () => answers[call++].promise });
    const { u, onclose } = open();
    await u.upload(
      screen.getByTestId('ics-import-input'),
      ['1', '2', '3', '4', '5'].map((n) => ics(`${n}.ics`)),
    );
    await u.click(screen.getByTestId('ics-import-submit'));

    const progress = await screen.findByTestId('ics-import-progress');
    expect(progress).toHaveTextContent('Importing 1 of 5 files…');
    answers[0].resolve([icsReport({ file: '1.ics' })]);
    await waitFor(() => expect(progress).toHaveTextContent('Importing 2 of 5 files…'));
    expect((within(progress).getByRole('progressbar') as HTMLProgressElement).value).toBe(1);
    // Mid-import, Escape does not close it.
    await u.keyboard('{Escape}');
    expect(onclose).not.toHaveBeenCalled();
    for (let i = 1; i < 5; i++) answers[i].resolve([icsReport({ file: `${i + 1}.ics` })]);
    expect(await screen.findByTestId('ics-import-report')).toBeInTheDocument();
    expect(screen.getAllByTestId('ics-file-report')).toHaveLength(5);
  });

  it('stops after the file being imported when asked, and reports the files done and the ones left', async () => {
    const answers = Array.from({ length: 4 }, () => deferred<IcsFileReport[]>());
    let call = 0;
    const be = mockBackend({ importIcs: () => answers[call++].promise });
    const { u } = open();
    await u.upload(
      screen.getByTestId('ics-import-input'),
      ['1', '2', '3', '4'].map((n) => ics(`${n}.ics`)),
    );
    await u.click(screen.getByTestId('ics-import-submit'));
    const progress = await screen.findByTestId('ics-import-progress');
    answers[0].resolve([icsReport({ file: '1.ics' })]);
    await waitFor(() => expect(progress).toHaveTextContent('Importing 2 of 4 files…'));

    await u.click(screen.getByTestId('ics-import-stop'));
    expect(screen.getByTestId('ics-import-stop')).toHaveTextContent('Stopping after this file…');
    answers[1].resolve([icsReport({ file: '2.ics' })]);

    expect(await screen.findByTestId('ics-import-report')).toBeInTheDocument();
    expect(be.importIcs).toHaveBeenCalledTimes(2);
    expect(screen.getAllByTestId('ics-file-report')).toHaveLength(2);
    expect(screen.getByTestId('ics-import-stopped')).toHaveTextContent(
      'Stopped after 2 files: “3.ics” and “4.ics” were not imported.',
    );
  });

  it('lists clashes as imported anyway, problems by line number, and warnings', async () => {
    mockBackend({
      importIcs: async () => [
        icsReport({
          file: 'outlook.ics',
          created: 2,
          clashes: ['“Site visit” Thu 3 Dec 10:00–11:00 overlaps “Demo with Acme”'],
          problems: [
            { line: 12, message: 'DTSTART is not a date', event: true },
            { line: 40, message: 'the event has no UID', event: true },
            { line: 57, message: 'a line outside any component: skipped', event: false },
          ],
          warnings: ['TZID "W. Europe Standard Time" read as Europe/Berlin'],
        }),
      ],
    });
    const { u } = open();
    await u.upload(screen.getByTestId('ics-import-input'), [ics('outlook.ics')]);
    await u.click(screen.getByTestId('ics-import-submit'));

    const file = await screen.findByTestId('ics-file-report');
    const clashes = within(file).getByTestId('ics-clashes');
    expect(clashes).toHaveTextContent('1 appointment imported anyway: check these.');
    expect(within(clashes).getByTestId('ics-clash')).toHaveTextContent(
      '“Site visit” Thu 3 Dec 10:00–11:00 overlaps “Demo with Acme”',
    );
    // Events not imported are told from lines skipped around events that were read.
    expect(within(file).getByTestId('ics-not-read')).toHaveTextContent(
      'Not imported: 2 events and 1 line could not be read',
    );
    const problems = within(file).getAllByTestId('ics-problem');
    expect(problems[0]).toHaveTextContent('Line 12');
    expect(problems[0]).toHaveTextContent('DTSTART is not a date');
    expect(problems[1]).toHaveTextContent(/Line 40\s*the event has no UID/);
    expect(within(file).getByTestId('ics-warning')).toHaveTextContent('read as Europe/Berlin');
  });

  it('offers Create lead for attendees no lead knows, then links to the new lead', async () => {
    const be = mockBackend({
      importIcs: async () => [
        icsReport({ unknown_attendees: [{ appointment_id: 55, email: 'new@client.example', name: 'Nina New' }] }),
      ],
      createLeadFromAttendee: async () => 123,
    });
    const { u, onclose } = open();
    await u.upload(screen.getByTestId('ics-import-input'), [ics('invite.ics')]);
    await u.click(screen.getByTestId('ics-import-submit'));

    const row = await screen.findByTestId('ics-unknown-attendee');
    expect(row).toHaveTextContent('Nina New');
    expect(row).toHaveTextContent('new@client.example');
    await u.click(within(row).getByTestId('attendee-create-lead'));
    expect(be.createLeadFromAttendee).toHaveBeenCalledWith(55, 'new@client.example', null);
    const link = await within(row).findByTestId('attendee-lead-link');
    expect(within(row).queryByTestId('attendee-create-lead')).toBeNull();
    await u.click(link);
    expect(nav.view).toEqual({ name: 'lead', id: 123 });
    expect(onclose).not.toHaveBeenCalled();
  });

  it('reports a file that cannot be imported and goes on with the others', async () => {
    const importIcs: Backend['importIcs'] = async (files) => {
      if (files[0].name === 'broken.ics')
        throw apiErr({ code: 'validation', message: 'the file is not a calendar (no BEGIN:VCALENDAR)' });
      return [icsReport({ file: files[0].name })];
    };
    const be = mockBackend({ importIcs });
    const { u } = open();
    await u.upload(screen.getByTestId('ics-import-input'), [ics('broken.ics'), ics('good.ics')]);
    await u.click(screen.getByTestId('ics-import-submit'));
    const [broken, good] = await screen.findAllByTestId('ics-file-report');
    expect(within(broken).getByTestId('ics-file-error')).toHaveTextContent('Not imported: The file is not a calendar');
    expect(within(good).getByTestId('ics-count-created')).toHaveTextContent('1');
    expect(be.importIcs).toHaveBeenCalledTimes(2);
    expect(screen.getByTestId('ics-import-report')).toHaveTextContent(
      '1 file imported: 1 created, 0 updated, 0 cancelled; 1 file not imported.',
    );
  });

  it('takes files dropped on the page or the dialog, leaving out what is not .ics', async () => {
    const be = mockBackend();
    const { u } = open({ files: [ics('dropped.ics'), new File(['x'], 'notes.pdf', { type: 'application/pdf' })] });
    expect(screen.getAllByTestId('ics-import-file').map((li) => li.textContent)).toEqual([
      expect.stringContaining('dropped.ics'),
    ]);
    expect(screen.getByTestId('ics-import-refused')).toHaveTextContent('“notes.pdf”');

    const dialog = screen.getByTestId('ics-import-dialog');
    const over = await fireEvent.dragOver(dialog, { dataTransfer: { types: ['Files'], files: [] } });
    expect(over).toBe(false);
    await fireEvent.drop(dialog, { dataTransfer: { types: ['Files'], files: [ics('more.ics'), ics('dropped.ics')] } });
    expect(screen.getAllByTestId('ics-import-file')).toHaveLength(2);
    await u.click(screen.getByTestId('ics-import-submit'));
    await screen.findByTestId('ics-import-report');
    expect(be.importIcs.mock.calls.map((c) => c[0][0].name)).toEqual(['dropped.ics', 'more.ics']);
  });

  it('imports two invites that only share a name (every mail program calls its attachment invite.ics)', async () => {
    const be = mockBackend();
    const { u } = open({ files: [ics('invite.ics', ICS, 1)] });
    const dialog = screen.getByTestId('ics-import-dialog');
    const other = ics('invite.ics', `${ICS}X-OTHER:1\r\n`, 2);
    await fireEvent.drop(dialog, { dataTransfer: { types: ['Files'], files: [other] } });
    expect(screen.getAllByTestId('ics-import-file')).toHaveLength(2);
    await u.click(screen.getByTestId('ics-import-submit'));
    await screen.findByTestId('ics-import-report');
    expect(be.importIcs).toHaveBeenCalledTimes(2);
  });
});
