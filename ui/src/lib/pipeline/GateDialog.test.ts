import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { apiError } from '../api';
import { nav } from '../nav.svelte';
import { apiErr, lead, mockBackend, pipelineConfig, savedLead } from '../../test/fixtures';
import type { ApiError, FieldError, StageConfig } from '../types';
import GateDialog from './GateDialog.svelte';

const config = pipelineConfig();
const stage = (key: string): StageConfig => config.stages.find((s) => s.key === key)!;

function refusal(message: string, fields: FieldError[]): ApiError {
  return apiError('stage_gate', message, fields);
}

function show(props: { stage: StageConfig; refusal: ApiError; canOverride?: boolean }) {
  const handlers = { onmoved: vi.fn(), onconflict: vi.fn(), oncancel: vi.fn(), onopenlead: vi.fn() };
  render(GateDialog, {
    leadId: 7,
    version: 1,
    name: 'Grace Hopper',
    lostReasons: config.lost_reasons,
    canOverride: false,
    ...props,
    ...handlers,
  });
  return { ...handlers, dialog: screen.getByTestId('gate-dialog'), u: userEvent.setup() };
}

describe('Gate dialog', () => {
  it('asks for a lost reason from the configured list, and gives the one chosen with the move, not before it', async () => {
    const be = mockBackend({
      updateLead: async (id, version) => savedLead(lead({ id, version: version + 1 })),
    });
    const { dialog, u, onmoved } = show({
      stage: stage('lost'),
      refusal: refusal('To enter Lost, this lead needs: Lost reason', [
        { field: 'lost_reason', message: 'is required' },
      ]),
    });
    expect(within(dialog).getByRole('heading')).toHaveTextContent('Grace Hopper can’t enter Lost yet');
    const select = within(dialog).getByTestId('gate-field-lost_reason');
    expect(within(select).getAllByRole('option').map((o) => o.textContent)).toEqual([
      'Choose a reason…',
      'Price',
      'Chose a competitor',
    ]);
    await u.selectOptions(select, 'competitor');
    await u.click(within(dialog).getByTestId('gate-retry'));
    await waitFor(() => expect(onmoved).toHaveBeenCalled());
    // Saved ahead, a reason would stay on a lead the move then left open (refused, or its approval rejected).
    expect(be.updateLead).not.toHaveBeenCalled();
    expect(be.moveLead.mock.calls[0].slice(2)).toEqual(['lost', null, 'competitor']);
    expect(onmoved.mock.calls[0][1]).toEqual({ overridden: false, logged: false });
  });

  it('offers a field per kind, writes currencies in capitals, and shows refused values under their field', async () => {
    const be = mockBackend({
      updateLead: async () => {
        throw apiErr({
          code: 'validation',
          message: 'invalid',
          fields: [{ field: 'deal_value', message: 'is not an amount' }],
        });
      },
    });
    const { dialog, u, onmoved } = show({
      stage: stage('engagement'),
      refusal: refusal('To enter In discussion, this lead needs: Deal value, Currency, Expected close date', [
        { field: 'deal_value', message: 'is required' },
        { field: 'currency', message: 'is required' },
        { field: 'expected_close', message: 'is required' },
      ]),
    });
    expect(within(dialog).getByTestId('gate-field-expected_close')).toHaveAttribute('type', 'date');
    await u.type(within(dialog).getByTestId('gate-field-deal_value'), 'lots');
    await u.type(within(dialog).getByTestId('gate-field-currency'), 'eur');
    await u.type(within(dialog).getByTestId('gate-field-expected_close'), '2026-06-30');
    // Enter in a field is Save and move.
    await u.type(within(dialog).getByTestId('gate-field-currency'), '{Enter}');
    expect(await within(dialog).findByTestId('error-deal_value')).toHaveTextContent('Deal value is not an amount');
    const input = be.updateLead.mock.calls[0][2];
    expect(input.deal).toMatchObject({ value: 'lots', currency: 'EUR', expected_close: '2026-06-30' });
    expect(be.moveLead).not.toHaveBeenCalled();
    expect(onmoved).not.toHaveBeenCalled();
    expect(within(dialog).getByTestId('gate-error')).toHaveTextContent('Not saved: Deal value is not an amount');
  });

  it("does not save on the Enter an input method takes to accept what is typed (Japanese, Chinese)", async () => {
    const be = mockBackend();
    const { dialog, onmoved } = show({
      stage: stage('engagement'),
      refusal: refusal('To enter In discussion, this lead needs: Deal value', [{ field: 'deal_value', message: 'is required' }]),
    });
    const field = within(dialog).getByTestId('gate-field-deal_value');
    fireEvent.keyDown(field, { key: 'Enter', isComposing: true });
    fireEvent.keyDown(field, { key: 'Enter', keyCode: 229 });
    await new Promise((r) => setTimeout(r, 50));
    expect(be.updateLead).not.toHaveBeenCalled();
    expect(be.moveLead).not.toHaveBeenCalled();
    expect(onmoved).not.toHaveBeenCalled();
    fireEvent.keyDown(field, { key: 'Enter' });
    await waitFor(() => expect(be.moveLead.mock.calls.length + be.updateLead.mock.calls.length).toBeGreaterThan(0));
  });

  it('sends what it cannot edit to the lead page', async () => {
    mockBackend();
    const { dialog, u, onopenlead } = show({
      stage: stage('qualification'),
      refusal: refusal('To enter Qualification, this lead needs: Emails', [
        { field: 'emails', message: 'is required' },
      ]),
    });
    expect(within(dialog).getByTestId('gate-elsewhere')).toHaveTextContent("Set Emails on the lead's page.");
    await u.click(within(dialog).getByTestId('gate-open-lead'));
    expect(onopenlead).toHaveBeenCalled();
  });

  it('saves what was typed for the stage before opening the lead for the rest, and stays when the save fails', async () => {
    let refuse = true;
    const be = mockBackend({
      getLead: async () => lead({ id: 7, version: 1 }),
      updateLead: async (id, version) => {
        if (refuse) throw apiErr({ code: 'validation', message: 'invalid', fields: [{ field: 'deal_value', message: 'is not an amount' }] });
        return savedLead(lead({ id, version: version + 1 }));
      },
    });
    const { dialog, u, onopenlead, onmoved } = show({
      stage: stage('engagement'),
      refusal: refusal('To enter In discussion, this lead needs: Deal value, Emails', [
        { field: 'deal_value', message: 'is required' },
        { field: 'emails', message: 'is required' },
      ]),
    });
    const open = within(dialog).getByTestId('gate-open-lead');
    expect(open).toHaveTextContent('Save and open the lead');
    await u.type(within(dialog).getByTestId('gate-field-deal_value'), '12500');
    await u.click(open);
    expect(await within(dialog).findByTestId('error-deal_value')).toHaveTextContent('Deal value is not an amount');
    expect(onopenlead).not.toHaveBeenCalled();

    refuse = false;
    await u.click(open);
    await waitFor(() => expect(onopenlead).toHaveBeenCalled());
    expect(be.updateLead.mock.calls.at(-1)![2].deal).toMatchObject({ value: '12500' });
    expect(be.moveLead).not.toHaveBeenCalled();
    expect(onmoved).not.toHaveBeenCalled();
  });

  it('says when an activity could not be logged, and lets it be tried again', async () => {
    let fail = true;
    const be = mockBackend({
      logActivity: async () => {
        if (fail) throw apiErr({ code: 'database_locked', message: 'the database is busy' });
        return (await import('../../test/fixtures')).activity({ kind: 'meeting' });
      },
    });
    const { dialog, u } = show({
      stage: stage('engagement'),
      refusal: refusal('needs a “Meeting” activity', [{ field: 'activity.meeting', message: 'is required' }]),
    });
    await u.click(within(dialog).getByTestId('gate-log-meeting'));
    expect(await within(dialog).findByTestId('gate-error')).toHaveTextContent(
      'Could not log “Meeting”: The database is busy',
    );
    fail = false;
    await u.click(within(dialog).getByTestId('gate-log-meeting'));
    expect(await within(dialog).findByTestId('gate-logged-meeting')).toBeInTheDocument();
    expect(be.logActivity).toHaveBeenCalledTimes(2);
    expect(within(dialog).queryByTestId('gate-error')).toBeNull();
  });

  it('logs the activities still missing, as typed, before it moves, and moves nothing when one fails', async () => {
    let fail = true;
    const be = mockBackend({
      logActivity: async () => {
        if (fail) throw apiErr({ code: 'database_locked', message: 'the database is busy' });
        return (await import('../../test/fixtures')).activity({ kind: 'meeting' });
      },
    });
    const { dialog, u, onmoved } = show({
      stage: stage('engagement'),
      refusal: refusal('needs a “Meeting” activity', [{ field: 'activity.meeting', message: 'is required' }]),
    });
    const move = within(dialog).getByTestId('gate-retry');
    expect(move).toHaveTextContent('Log and move');
    await u.clear(within(dialog).getByTestId('gate-subject-meeting'));
    await u.type(within(dialog).getByTestId('gate-subject-meeting'), 'Demo at their office');
    await u.click(move);
    expect(await within(dialog).findByTestId('gate-error')).toHaveTextContent('Could not log “Meeting”');
    expect(be.moveLead).not.toHaveBeenCalled();
    fail = false;
    await u.click(move);
    await waitFor(() => expect(onmoved).toHaveBeenCalled());
    expect(be.logActivity).toHaveBeenCalledTimes(2);
    expect(be.logActivity.mock.calls.at(-1)![1]).toMatchObject({ kind: 'meeting', subject: 'Demo at their office' });
    expect(be.moveLead).toHaveBeenCalledOnce();
  });

  it('offers the override only to those allowed, and reports a refused override', async () => {
    mockBackend();
    const first = show({
      stage: stage('engagement'),
      refusal: refusal('needs a value', [{ field: 'deal_value', message: 'is required' }]),
    });
    expect(within(first.dialog).queryByTestId('gate-override-section')).toBeNull();
    first.dialog.remove();

    mockBackend({
      moveLead: async () => {
        throw apiErr({ code: 'permission_denied', message: 'only Administrators may override the stage criteria' });
      },
    });
    const { dialog, u, onmoved } = show({
      stage: stage('engagement'),
      refusal: refusal('needs a value', [{ field: 'deal_value', message: 'is required' }]),
      canOverride: true,
    });
    await u.click(within(dialog).getByTestId('gate-override-toggle'));
    await u.type(within(dialog).getByTestId('gate-override-reason'), '  Signed on paper  ');
    await u.click(within(dialog).getByTestId('gate-override'));
    expect(await within(dialog).findByTestId('gate-error')).toHaveTextContent(
      'Only Administrators may override the stage criteria',
    );
    expect(onmoved).not.toHaveBeenCalled();
  });

  it("makes meeting the criteria the one primary action, with the Administrator's override folded away", async () => {
    const be = mockBackend({
      getLead: async () => lead({ id: 7, version: 1 }),
      updateLead: async (id, version) => savedLead(lead({ id, version: version + 1 })),
    });
    const { dialog, u, onmoved } = show({
      stage: stage('engagement'),
      refusal: refusal('needs a value and a proposal', [
        { field: 'deal_value', message: 'is required' },
        { field: 'activity.proposal', message: 'is required' },
      ]),
      canOverride: true,
    });
    // One primary action, Save, log and move, beside Cancel; nothing else competes with them.
    const primary = [...dialog.querySelectorAll('.btn-primary')];
    expect(primary).toEqual([within(dialog).getByTestId('gate-retry')]);
    expect(primary[0]).toHaveTextContent('Save, log and move');
    const footer = within(dialog.querySelector<HTMLElement>('.dialog-actions')!);
    expect(footer.getAllByRole('button').map((b) => b.dataset.testid)).toEqual(['gate-cancel', 'gate-retry']);
    // The override is a danger action, folded away until asked for.
    const section = within(dialog).getByTestId('gate-override-section');
    const toggle = within(dialog).getByTestId('gate-override-toggle');
    const reason = within(dialog).getByTestId('gate-override-reason');
    const override = within(dialog).getByTestId('gate-override');
    expect(toggle).toBeVisible();
    expect(toggle).toHaveTextContent('Move anyway, without the criteria…');
    expect(reason).not.toBeVisible();
    expect(override).not.toBeVisible();
    expect(override).toHaveClass('btn-danger');
    await u.click(toggle);
    expect(section).toHaveAttribute('open');
    expect(reason).toBeVisible();
    expect(reason).toHaveFocus();
    expect(within(section).getByLabelText('Reason for the override')).toBe(reason);
    expect(override).toBeDisabled();
    await u.type(reason, 'Signed on paper');
    expect(override).toBeEnabled();

    // Enter in a field is still the primary action, not the override.
    await u.type(within(dialog).getByTestId('gate-field-deal_value'), '12500{Enter}');
    await waitFor(() => expect(onmoved).toHaveBeenCalled());
    expect(be.moveLead.mock.calls[0].slice(2)).toEqual(['engagement', null, null]);
    // The proposal still missing was logged on the way.
    expect(onmoved.mock.calls[0][1]).toEqual({ overridden: false, logged: true });
    expect(be.logActivity.mock.calls[0][1]).toMatchObject({ kind: 'proposal' });
  });

  it('names the primary action after what it does, and offers no override to others', async () => {
    mockBackend();
    const { dialog, u } = show({
      stage: stage('engagement'),
      refusal: refusal('needs a proposal', [{ field: 'activity.proposal', message: 'is required' }]),
    });
    expect(within(dialog).getByTestId('gate-retry')).toHaveTextContent('Log and move');
    await u.click(within(dialog).getByTestId('gate-log-proposal'));
    await within(dialog).findByTestId('gate-logged-proposal');
    expect(within(dialog).getByTestId('gate-retry')).toHaveTextContent('Move to In discussion');
    expect([...dialog.querySelectorAll('.btn-primary')]).toEqual([within(dialog).getByTestId('gate-retry')]);
    expect(within(dialog).queryByTestId('gate-override-toggle')).toBeNull();
    expect(within(dialog).queryByTestId('gate-override-section')).toBeNull();
  });

  it('hands a conflict back to the board', async () => {
    mockBackend({
      moveLead: async () => {
        throw apiErr({ code: 'conflict', message: 'changed by someone else' });
      },
    });
    const { dialog, u, onconflict } = show({
      stage: stage('engagement'),
      refusal: refusal('needs a proposal', [{ field: 'activity.proposal', message: 'is required' }]),
    });
    await u.click(within(dialog).getByTestId('gate-retry'));
    await waitFor(() => expect(onconflict).toHaveBeenCalled());
  });

  it('hands a lead changed while the dialog was open back to the board, and moves nothing', async () => {
    // Someone moved the lead to Lost meanwhile: version 2, while the card was version 1.
    const be = mockBackend({ getLead: async (id) => lead({ id, version: 2, stage: 'lost' }) });
    const { dialog, u, onconflict } = show({
      stage: stage('engagement'),
      refusal: refusal('needs a proposal', [{ field: 'activity.proposal', message: 'is required' }]),
    });
    await u.click(within(dialog).getByTestId('gate-retry'));
    await waitFor(() => expect(onconflict).toHaveBeenCalled());
    expect(be.moveLead).not.toHaveBeenCalled();
  });

  it('closes with Escape or Cancel, leaving the move undone', async () => {
    const be = mockBackend({ getLead: async () => lead({ version: 9 }), updateLead: async () => savedLead() });
    const { dialog, u, oncancel } = show({
      stage: stage('engagement'),
      refusal: refusal('needs a proposal', [{ field: 'activity.proposal', message: 'is required' }]),
    });
    await u.keyboard('{Escape}');
    expect(oncancel).toHaveBeenCalledTimes(1);
    await u.click(within(dialog).getByTestId('gate-cancel'));
    expect(oncancel).toHaveBeenCalledTimes(2);
    expect(be.moveLead).not.toHaveBeenCalled();
    expect(be.logActivity).not.toHaveBeenCalled();
  });

  it('asks before Escape or Cancel drops what was typed, and closes once it is saved', async () => {
    mockBackend({
      getLead: async () => lead({ id: 7, version: 1 }),
      updateLead: async (id, version) => savedLead(lead({ id, version: version + 1 })),
      moveLead: async () => {
        throw apiErr({ code: 'stage_gate', message: 'needs a proposal', fields: [{ field: 'activity.proposal', message: 'is required' }] });
      },
    });
    const { dialog, u, oncancel } = show({
      stage: stage('engagement'),
      refusal: refusal('needs a deal value and a proposal', [
        { field: 'deal_value', message: 'is required' },
        { field: 'activity.proposal', message: 'is required' },
      ]),
    });
    await u.type(within(dialog).getByTestId('gate-field-deal_value'), '12500');
    await u.keyboard('{Escape}');
    expect(await within(dialog).findByTestId('gate-discard-question')).toHaveTextContent('Discard what you typed?');
    expect(within(dialog).getByTestId('gate-keep')).toHaveFocus();
    expect(oncancel).not.toHaveBeenCalled();
    await u.click(within(dialog).getByTestId('gate-keep'));
    expect(within(dialog).getByTestId('gate-field-deal_value')).toHaveValue('12500');

    // Saved by a move refused again, the value is not lost by closing.
    await u.click(within(dialog).getByTestId('gate-retry'));
    await waitFor(() => expect(within(dialog).getByTestId('gate-message')).toHaveTextContent('Needs a proposal'));
    await u.keyboard('{Escape}');
    expect(oncancel).toHaveBeenCalledTimes(1);
  });

  it('asks before the sidebar, sign-out or closing the window throws away what was typed', async () => {
    mockBackend();
    nav.go({ name: 'pipeline' });
    const { dialog, u, oncancel } = show({
      stage: stage('engagement'),
      refusal: refusal('needs a deal value', [{ field: 'deal_value', message: 'is required' }]),
    });
    expect(nav.unsaved).toBe(false);
    await u.type(within(dialog).getByTestId('gate-field-deal_value'), '12500');
    expect(nav.unsaved).toBe(true);
    nav.go({ name: 'leads' });
    expect(await within(dialog).findByTestId('gate-discard-question')).toBeInTheDocument();
    expect(nav.view.name).toBe('pipeline');
    await u.click(within(dialog).getByTestId('gate-keep'));
    nav.go({ name: 'leads' });
    await u.click(await within(dialog).findByTestId('gate-discard'));
    expect(oncancel).toHaveBeenCalledOnce();
    await waitFor(() => expect(nav.view.name).toBe('leads'));
  });

  it('asks before Cancel drops an override reason, and closes when told to discard it', async () => {
    mockBackend();
    const { dialog, u, oncancel } = show({
      stage: stage('engagement'),
      refusal: refusal('needs a proposal', [{ field: 'activity.proposal', message: 'is required' }]),
      canOverride: true,
    });
    await u.click(within(dialog).getByTestId('gate-override-toggle'));
    await u.type(within(dialog).getByTestId('gate-override-reason'), 'Signed on paper');
    await u.click(within(dialog).getByTestId('gate-cancel'));
    await u.click(await within(dialog).findByTestId('gate-discard'));
    expect(oncancel).toHaveBeenCalledTimes(1);
  });
});
