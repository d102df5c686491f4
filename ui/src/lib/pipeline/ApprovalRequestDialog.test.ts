import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { apiErr, mockBackend, pipelineConfig, sessionFor } from '../../test/fixtures';
import { nav } from '../nav.svelte';
import { session } from '../session.svelte';
import type { StageConfig } from '../types';
import ApprovalRequestDialog from './ApprovalRequestDialog.svelte';
import { approvals } from './approvals.svelte';

const MESSAGE =
  "Moving this lead to Lost needs an Administrator's approval (Losing a deal of 10,000 or more): request it";

const stage = (key: string) => pipelineConfig().stages.find((s) => s.key === key) as StageConfig;

function setup(
  over: Parameters<typeof mockBackend>[0] = {},
  props: { stage?: string; lostReason?: string; leadId?: number } = {},
) {
  session.current = sessionFor('editor');
  const be = mockBackend(over);
  const onrequested = vi.fn();
  const oncancel = vi.fn();
  render(ApprovalRequestDialog, {
    leadId: props.leadId ?? 7,
    version: 3,
    name: 'Grace Hopper',
    stage: stage(props.stage ?? 'lost'),
    message: MESSAGE,
    lostReasons: pipelineConfig().lost_reasons,
    lostReason: props.lostReason,
    onrequested,
    oncancel,
  });
  return { be, onrequested, oncancel, u: userEvent.setup() };
}

describe('the approval request dialog', () => {
  it('asks before the sidebar, sign-out or closing the window throws away a note typed', async () => {
    nav.go({ name: 'pipeline' });
    const { oncancel, u } = setup();
    const dialog = screen.getByTestId('approval-request-dialog');
    expect(nav.unsaved).toBe(false);
    await u.type(within(dialog).getByTestId('approval-note'), 'Signed with Globex');
    expect(nav.unsaved).toBe(true);
    nav.go({ name: 'leads' });
    expect(await within(dialog).findByTestId('approval-request-discard')).toBeInTheDocument();
    expect(nav.view.name).toBe('pipeline');
    await u.click(within(dialog).getByTestId('approval-request-keep'));
    expect(within(dialog).getByTestId('approval-note')).toHaveValue('Signed with Globex');
    nav.go({ name: 'leads' });
    await u.click(await within(dialog).findByTestId('approval-request-discard'));
    expect(oncancel).toHaveBeenCalledOnce();
    await waitFor(() => expect(nav.view.name).toBe('leads'));
  });

  it('shows why the move waits, and asks a lost deal for its reason before sending anything', async () => {
    const { be, onrequested, u } = setup();
    const dialog = screen.getByTestId('approval-request-dialog');
    expect(within(dialog).getByRole('heading')).toHaveTextContent('Ask to move Grace Hopper to Lost');
    expect(within(dialog).getByTestId('approval-request-message')).toHaveTextContent(MESSAGE);
    const reason = within(dialog).getByTestId('approval-lost-reason');
    expect(within(reason).getAllByRole('option').map((o) => o.textContent)).toEqual([
      'Choose a reason…',
      'Price',
      'Chose a competitor',
    ]);
    expect(reason).toHaveValue('');

    await u.click(within(dialog).getByTestId('approval-request-submit'));
    expect(within(dialog).getByTestId('error-lost_reason')).toHaveTextContent('Choose why the deal was lost.');
    expect(be.requestMove).not.toHaveBeenCalled();

    await u.selectOptions(reason, 'competitor');
    expect(within(dialog).queryByTestId('error-lost_reason')).toBeNull();
    await u.type(within(dialog).getByTestId('approval-note'), '  They signed with Globex  ');
    await u.click(within(dialog).getByTestId('approval-request-submit'));

    await waitFor(() => expect(onrequested).toHaveBeenCalledTimes(1));
    expect(be.requestMove).toHaveBeenCalledWith(7, 3, 'lost', 'competitor', 'They signed with Globex');
    expect(onrequested.mock.calls[0][0]).toMatchObject({ lead_id: 7, to_stage: 'lost', status: 'pending' });
    // The lead now counts as waiting (the board's pill).
    expect(approvals.isWaiting(7)).toBe(true);
  });

  it('starts from a reason already chosen', () => {
    setup({}, { lostReason: 'price' });
    expect(screen.getByTestId('approval-lost-reason')).toHaveValue('price');
  });

  it('asks no lost reason for a stage that is not lost', async () => {
    const { be, onrequested, u } = setup({}, { stage: 'nurture' });
    expect(screen.queryByTestId('approval-lost-reason')).toBeNull();
    await u.click(screen.getByTestId('approval-request-submit'));
    await waitFor(() => expect(onrequested).toHaveBeenCalled());
    expect(be.requestMove).toHaveBeenCalledWith(7, 3, 'nurture', '', '');
  });

  it('says so when a request already waits, and stays open', async () => {
    const { onrequested, u } = setup(
      {
        requestMove: async () => {
          throw apiErr({
            code: 'validation',
            message: 'a request to move this lead already waits for a decision',
            fields: [{ field: 'pending', message: 'a move of this lead already waits for a decision' }],
          });
        },
      },
      { lostReason: 'price' },
    );
    await u.click(screen.getByTestId('approval-request-submit'));
    expect(await screen.findByTestId('approval-request-error')).toHaveTextContent(
      'A request to move this lead already waits for a decision',
    );
    expect(onrequested).not.toHaveBeenCalled();
    expect(screen.getByTestId('approval-request-dialog')).toBeInTheDocument();
    expect(approvals.isWaiting(7)).toBe(true);
  });

  it('does not mark the lead waiting when the request is refused for another reason', async () => {
    const { u } = setup(
      {
        requestMove: async () => {
          throw apiErr({
            code: 'validation',
            message: 'stage: this move needs no approval: move the lead',
            fields: [{ field: 'stage', message: 'this move needs no approval: move the lead' }],
          });
        },
      },
      { lostReason: 'price', leadId: 8 },
    );
    await u.click(screen.getByTestId('approval-request-submit'));
    expect(await screen.findByTestId('approval-request-error')).toHaveTextContent('needs no approval');
    expect(approvals.isWaiting(8)).toBe(false);
  });

  it("shows the stage gate's refusal beside the lost reason", async () => {
    const { onrequested, u } = setup(
      {
        requestMove: async () => {
          throw apiErr({
            code: 'stage_gate',
            message: 'To enter Lost, this lead needs: Lost reason',
            fields: [{ field: 'lost_reason', message: 'is not one of the lost reasons' }],
          });
        },
      },
      { lostReason: 'gone' },
    );
    // A reason since taken out of the settings still shows as chosen.
    expect(screen.getByTestId('approval-lost-reason')).toHaveValue('gone');
    await u.click(screen.getByTestId('approval-request-submit'));
    expect(await screen.findByTestId('error-lost_reason')).toHaveTextContent('Is not one of the lost reasons');
    expect(screen.getByTestId('approval-request-error')).toHaveTextContent('To enter Lost, this lead needs: Lost reason');
    expect(onrequested).not.toHaveBeenCalled();
  });

  it('closes with Cancel without asking', async () => {
    const { be, oncancel, u } = setup();
    await u.click(screen.getByTestId('approval-request-cancel'));
    expect(oncancel).toHaveBeenCalledTimes(1);
    expect(be.requestMove).not.toHaveBeenCalled();
  });

  it('asks before Escape or Cancel drops a note or a reason typed here', async () => {
    const { be, oncancel, u } = setup({}, { lostReason: 'price' });
    await u.type(screen.getByTestId('approval-note'), 'They signed elsewhere');
    await u.keyboard('{Escape}');
    expect(await screen.findByTestId('approval-request-discard-question')).toHaveTextContent('Discard what you typed?');
    expect(screen.getByTestId('approval-request-keep')).toHaveFocus();
    expect(oncancel).not.toHaveBeenCalled();
    await u.click(screen.getByTestId('approval-request-keep'));
    expect(screen.getByTestId('approval-note')).toHaveValue('They signed elsewhere');

    await u.clear(screen.getByTestId('approval-note'));
    await u.selectOptions(screen.getByTestId('approval-lost-reason'), 'competitor');
    await u.click(screen.getByTestId('approval-request-cancel'));
    await u.click(await screen.findByTestId('approval-request-discard'));
    expect(oncancel).toHaveBeenCalledTimes(1);
    expect(be.requestMove).not.toHaveBeenCalled();
  });
});
