import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { activity, apiErr, deferred, lead, mockBackend, pipelineConfig, savedLead } from '../../test/fixtures';
import type { Activity, Lead, LeadInput } from '../types';
import LeadForm from './LeadForm.svelte';

/** The stages the form offers, as the default pipeline has them. */
const STAGES = [
  { key: 'new', label: 'New lead', closed: false },
  { key: 'engagement', label: 'In discussion', closed: false },
  { key: 'lost', label: 'Lost', closed: true },
];

function setup(over: Parameters<typeof mockBackend>[0] = {}, leadToEdit: Lead | null = null) {
  const be = mockBackend({ stages: async () => STAGES, ...over });
  const onsaved = vi.fn();
  const oncancel = vi.fn();
  render(LeadForm, { lead: leadToEdit, onsaved, oncancel });
  return { be, onsaved, oncancel, u: userEvent.setup() };
}

const GATE_MESSAGE = 'To enter In discussion, this lead needs: Deal value, Currency, a “Proposal sent” activity';

function gateRefusal() {
  return apiErr({
    code: 'stage_gate',
    message: GATE_MESSAGE,
    fields: [
      { field: 'deal_value', message: 'is needed to enter In discussion' },
      { field: 'currency', message: 'is needed to enter In discussion' },
      { field: 'activity.proposal', message: 'a “Proposal sent” activity is needed to enter In discussion' },
    ],
  });
}

describe('the Deal section of the lead form', () => {
  it('comes after Source and pipeline, with an input fit for each kind of value', async () => {
    setup();
    const sections = screen.getAllByTestId(/^section-/).map((s) => s.getAttribute('data-testid'));
    expect(sections).toEqual([
      'section-person',
      'section-contact',
      'section-address',
      'section-pipeline',
      'section-deal',
      'section-other',
    ]);
    expect(screen.getByRole('group', { name: 'Deal' })).toHaveAttribute('data-testid', 'section-deal');
    const deal = within(screen.getByTestId('section-deal'));

    const value = deal.getByLabelText('Deal value');
    expect(value).toHaveAttribute('data-testid', 'field-deal_value');
    expect(value).toHaveAttribute('inputmode', 'decimal');
    expect(value).toHaveAttribute('placeholder', 'e.g. 12,500.00');

    const currency = deal.getByLabelText('Currency');
    expect(currency).toHaveAttribute('maxlength', '3');
    const codes = [...document.querySelectorAll(`#${currency.getAttribute('list')} option`)].map((o) =>
      o.getAttribute('value'),
    );
    expect(codes).toEqual(['EUR', 'USD', 'GBP', 'CHF', 'JPY', 'CAD', 'AUD', 'SEK', 'NOK', 'DKK', 'PLN']);

    expect(deal.getByLabelText('Expected close date')).toHaveAttribute('type', 'date');
    for (const name of ['budget', 'decision_maker', 'need', 'timeline']) {
      expect(deal.getByTestId(`field-${name}`)).toBeInTheDocument();
    }
    // The lost reasons are the configured ones, behind an empty choice.
    const reasons = deal.getByTestId('field-lost_reason');
    await waitFor(() =>
      expect(within(reasons).getAllByRole('option').map((o) => o.textContent)).toEqual([
        '—',
        'Price',
        'Chose a competitor',
      ]),
    );
  });

  it('sends what is typed at the deal paths, the currency in capitals', async () => {
    const { be, u } = setup();
    await u.type(screen.getByTestId('field-last_name'), 'Lovelace');
    await u.type(screen.getByTestId('field-deal_value'), '12.500,00');
    const currency = screen.getByTestId('field-currency');
    await u.type(currency, 'eur');
    await u.tab();
    expect(currency).toHaveValue('EUR');
    await fireEvent.input(screen.getByTestId('field-expected_close'), { target: { value: '2026-12-31' } });
    await u.type(screen.getByTestId('field-budget'), 'approved');
    await u.type(screen.getByTestId('field-decision_maker'), 'The CFO');
    await u.type(screen.getByTestId('field-need'), 'Faster quotes');
    await u.type(screen.getByTestId('field-timeline'), 'Q1');
    await waitFor(() => expect(screen.getByRole('option', { name: 'Price' })).toBeInTheDocument());
    // A lost reason waits for a lost stage (the core refuses one on an open deal).
    expect(screen.getByTestId('field-lost_reason')).toBeDisabled();
    expect(screen.getByText('Given when the deal is lost: choose a lost stage first.')).toBeInTheDocument();
    await u.selectOptions(screen.getByTestId('field-stage'), 'lost');
    expect(screen.getByTestId('field-lost_reason')).not.toBeDisabled();
    await u.selectOptions(screen.getByTestId('field-lost_reason'), 'price');
    // Another, open, stage chosen after: the reason goes with the lost one.
    await u.selectOptions(screen.getByTestId('field-stage'), 'new');
    expect(screen.getByTestId('field-lost_reason')).toHaveValue('');
    expect(screen.getByTestId('field-lost_reason')).toBeDisabled();
    await u.selectOptions(screen.getByTestId('field-stage'), 'lost');
    await u.selectOptions(screen.getByTestId('field-lost_reason'), 'price');
    await u.click(screen.getByTestId('save-lead'));

    await waitFor(() => expect(be.createLead).toHaveBeenCalledOnce());
    const sent = be.createLead.mock.calls[0][0] as LeadInput;
    // Amounts and dates go as typed: the backend gives them their one spelling.
    expect(sent.deal).toEqual({
      value: '12.500,00',
      currency: 'EUR',
      expected_close: '2026-12-31',
      budget: 'approved',
      decision_maker: 'The CFO',
      need: 'Faster quotes',
      timeline: 'Q1',
      lost_reason: 'price',
    });
  });

  it('shows the deal of the lead being edited, a lost reason since removed included', async () => {
    const deal = { ...lead().deal, value: '12500.00', currency: 'USD', expected_close: '2026-12-31', lost_reason: 'timing' };
    const { be, u } = setup({}, lead({ id: 42, stage: 'lost', deal }));
    expect(screen.getByTestId('field-deal_value')).toHaveValue('12500.00');
    expect(screen.getByTestId('field-currency')).toHaveValue('USD');
    expect(screen.getByTestId('field-expected_close')).toHaveValue('2026-12-31');
    await waitFor(() => expect(screen.getByRole('option', { name: 'Price' })).toBeInTheDocument());
    expect(screen.getByTestId('field-lost_reason')).toHaveValue('timing');

    await u.clear(screen.getByTestId('field-deal_value'));
    await u.type(screen.getByTestId('field-deal_value'), '9000');
    await u.click(screen.getByTestId('save-lead'));
    await waitFor(() => expect(be.updateLead).toHaveBeenCalledOnce());
    expect((be.updateLead.mock.calls[0][2] as LeadInput).deal).toMatchObject({
      value: '9000',
      currency: 'USD',
      lost_reason: 'timing',
    });
  });

  it('takes a lost lead\'s reason away with a reopening, and gives it back when Lost is chosen again', async () => {
    const deal = { ...lead().deal, lost_reason: 'timing' };
    const { be, u } = setup({}, lead({ id: 42, stage: 'lost', deal }));
    await waitFor(() => expect(screen.getByRole('option', { name: 'Price' })).toBeInTheDocument());
    await waitFor(() => expect(screen.getByRole('option', { name: 'In discussion' })).toBeInTheDocument());
    const reason = () => screen.getByTestId('field-lost_reason');
    expect(reason()).toHaveValue('timing');
    expect(reason()).not.toBeDisabled();
    await u.selectOptions(screen.getByTestId('field-stage'), 'engagement');
    expect(reason()).toHaveValue('');
    expect(reason()).toBeDisabled();
    await u.selectOptions(screen.getByTestId('field-stage'), 'lost');
    expect(reason()).toHaveValue('timing');
    await u.selectOptions(screen.getByTestId('field-stage'), 'new');
    await u.click(screen.getByTestId('save-lead'));
    await waitFor(() => expect(be.updateLead).toHaveBeenCalledOnce());
    expect((be.updateLead.mock.calls[0][2] as LeadInput).deal.lost_reason).toBe('');
  });

  it('says under each empty field, and under the stage, what the stage being entered asks for', async () => {
    const { u } = setup({}, lead({ id: 42, stage: 'new' }));
    await waitFor(() => expect(screen.getByRole('option', { name: 'In discussion' })).toBeInTheDocument());
    expect(screen.queryByText('Needed to enter In discussion.')).toBeNull();

    await u.selectOptions(screen.getByTestId('field-stage'), 'engagement');
    const hint = (name: string) => screen.getByTestId(`field-${name}`).closest('.field')!.querySelector('.field-hint');
    expect(hint('deal_value')).toHaveTextContent('Needed to enter In discussion.');
    expect(hint('currency')).toHaveTextContent('Needed to enter In discussion.');
    expect(hint('budget')).toBeNull();
    expect(hint('stage')).toHaveTextContent('In discussion needs a “Proposal sent” activity on the lead.');

    await u.type(screen.getByTestId('field-deal_value'), '100');
    expect(hint('deal_value')).toBeNull();
  });

  it('says what a stage the move skips asks for, when that stage asks it of leads skipping it', async () => {
    const config = pipelineConfig();
    const odds: Record<string, number> = { new: 10, qualification: 25, engagement: 60, won: 100, lost: 0, nurture: 5 };
    const stages = config.stages.map((s) => ({
      ...s,
      probability: odds[s.key],
      asked_when_skipped: s.key === 'qualification',
    }));
    const { u } = setup({ pipelineConfig: async () => ({ ...config, stages }) }, lead({ id: 42, stage: 'new' }));
    await waitFor(() => expect(screen.getByRole('option', { name: 'In discussion' })).toBeInTheDocument());

    await u.selectOptions(screen.getByTestId('field-stage'), 'engagement');
    const hint = (name: string) => screen.getByTestId(`field-${name}`).closest('.field')!.querySelector('.field-hint');
    await waitFor(() => expect(hint('budget')).toHaveTextContent('Needed to move past Qualification.'));
    expect(hint('timeline')).toHaveTextContent('Needed to move past Qualification.');
    expect(hint('deal_value')).toHaveTextContent('Needed to enter In discussion.');
    // Giving the lead up skips nothing.
    await u.selectOptions(screen.getByTestId('field-stage'), 'lost');
    expect(hint('budget')).toBeNull();
  });
});

describe('a save refused by the stage gate', () => {
  it('says what is missing, puts each field message beside its field, and logs the activity asked for', async () => {
    let refuse = true;
    const saved = lead({ id: 42, version: 6, stage: 'engagement' });
    const { be, u, onsaved } = setup(
      {
        updateLead: async () => {
          if (refuse) throw gateRefusal();
          return savedLead(saved, 5);
        },
        logActivity: async (leadId, a) => activity({ id: 9, lead_id: leadId, kind: a.kind ?? 'note', subject: a.subject }),
      },
      lead({ id: 42, version: 5, stage: 'new' }),
    );
    await waitFor(() => expect(screen.getByRole('option', { name: 'In discussion' })).toBeInTheDocument());
    await u.selectOptions(screen.getByTestId('field-stage'), 'engagement');
    await u.click(screen.getByTestId('save-lead'));

    const alert = await screen.findByTestId('gate-refusal');
    expect(alert).toHaveAttribute('role', 'alert');
    expect(alert).toHaveTextContent(GATE_MESSAGE);
    // The generic "fields need attention" summary does not say it all again.
    expect(screen.queryByTestId('form-errors')).toBeNull();
    for (const name of ['deal_value', 'currency']) {
      const inline = screen.getByTestId(`error-${name}`);
      expect(screen.getByTestId(`field-${name}`).closest('.field')).toContainElement(inline);
    }
    expect(screen.getByTestId('error-deal_value')).toHaveTextContent('Deal value is needed to enter In discussion');
    expect(screen.getByTestId('field-deal_value')).toHaveFocus();
    // The activity is no field: nothing is shown for it beside an input.
    expect(screen.queryByTestId('error-activity.proposal')).toBeNull();

    const logButton = within(alert).getByTestId('gate-log-activity-proposal');
    expect(logButton).toHaveTextContent('Log “Proposal sent” now');
    await u.click(logButton);
    const dialog = await screen.findByTestId('gate-log-dialog');
    const subject = within(dialog).getByTestId('activity-subject');
    expect(subject).toHaveValue('Proposal sent');
    expect(within(dialog).queryByTestId('activity-kind')).toBeNull();
    await u.click(within(dialog).getByTestId('activity-submit'));

    await waitFor(() => expect(screen.queryByTestId('gate-log-dialog')).toBeNull());
    expect(be.logActivity).toHaveBeenCalledOnce();
    expect(be.logActivity).toHaveBeenCalledWith(42, expect.objectContaining({ kind: 'proposal', subject: 'Proposal sent' }));
    expect(screen.queryByTestId('gate-log-activity-proposal')).toBeNull();
    // Nothing was saved by logging: the lead is still unsaved.
    expect(be.updateLead).toHaveBeenCalledOnce();
    expect(onsaved).not.toHaveBeenCalled();

    await u.type(screen.getByTestId('field-deal_value'), '12500');
    await u.type(screen.getByTestId('field-currency'), 'EUR');
    expect(await screen.findByTestId('gate-ready')).toHaveTextContent('save again');

    refuse = false;
    await u.click(screen.getByTestId('save-lead'));
    await waitFor(() => expect(onsaved).toHaveBeenCalledWith(saved));
    expect(be.updateLead).toHaveBeenCalledTimes(2);
    expect((be.updateLead.mock.calls[1][2] as LeadInput).deal).toMatchObject({ value: '12500', currency: 'EUR' });
    expect(screen.queryByTestId('gate-refusal')).toBeNull();
  });

  it('takes the user to the log button when only an activity is missing, and keeps it when logging fails', async () => {
    const { be, u } = setup(
      {
        updateLead: async () => {
          throw apiErr({
            code: 'stage_gate',
            message: 'To enter In discussion, this lead needs: a “Proposal sent” activity',
            fields: [{ field: 'activity.proposal', message: 'is needed' }],
          });
        },
        logActivity: async () => {
          throw apiErr({ code: 'validation', message: 'subject is required', fields: [{ field: 'subject', message: 'is required' }] });
        },
      },
      lead({ id: 42, stage: 'new' }),
    );
    await u.click(screen.getByTestId('save-lead'));
    const button = await screen.findByTestId('gate-log-activity-proposal');
    await waitFor(() => expect(button).toHaveFocus());

    await u.click(button);
    const dialog = await screen.findByTestId('gate-log-dialog');
    await u.click(within(dialog).getByTestId('activity-submit'));
    expect(await within(dialog).findByTestId('error-subject')).toHaveTextContent('Subject is required');
    expect(be.logActivity).toHaveBeenCalledOnce();
    await u.click(within(dialog).getByTestId('activity-cancel'));
    expect(screen.queryByTestId('gate-log-dialog')).toBeNull();
    expect(screen.getByTestId('gate-log-activity-proposal')).toBeInTheDocument();
  });

  it('asks before the log dialog drops what was typed in it, on Escape as on Cancel', async () => {
    const { be, u } = setup(
      {
        updateLead: async () => {
          throw apiErr({
            code: 'stage_gate',
            message: 'To enter In discussion, this lead needs: a “Proposal sent” activity',
            fields: [{ field: 'activity.proposal', message: 'is needed' }],
          });
        },
      },
      lead({ id: 42, stage: 'new' }),
    );
    await u.click(screen.getByTestId('save-lead'));
    await u.click(await screen.findByTestId('gate-log-activity-proposal'));
    const dialog = await screen.findByTestId('gate-log-dialog');
    await u.type(within(dialog).getByTestId('activity-outcome'), 'Sent the offer by mail');

    await u.keyboard('{Escape}');
    expect(await within(dialog).findByTestId('gate-log-discard-question')).toHaveTextContent('Discard what you typed?');
    await u.click(within(dialog).getByTestId('gate-log-keep'));
    expect(within(dialog).queryByTestId('gate-log-discard-question')).toBeNull();
    expect(within(dialog).getByTestId('activity-outcome')).toHaveValue('Sent the offer by mail');

    await u.click(within(dialog).getByTestId('activity-cancel'));
    await u.click(await within(dialog).findByTestId('gate-log-discard'));
    await waitFor(() => expect(screen.queryByTestId('gate-log-dialog')).toBeNull());
    expect(be.logActivity).not.toHaveBeenCalled();

    // Opened again, it starts empty and closes unasked.
    await u.click(screen.getByTestId('gate-log-activity-proposal'));
    await screen.findByTestId('gate-log-dialog');
    await u.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByTestId('gate-log-dialog')).toBeNull());
  });

  it('keeps the log dialog open while its log is on its way, so a refusal is shown in it', async () => {
    const answer = deferred<Activity>();
    const { u } = setup(
      {
        updateLead: async () => {
          throw apiErr({
            code: 'stage_gate',
            message: 'To enter In discussion, this lead needs: a “Proposal sent” activity',
            fields: [{ field: 'activity.proposal', message: 'is needed' }],
          });
        },
        logActivity: () => answer.promise,
      },
      lead({ id: 42, stage: 'new' }),
    );
    await u.click(screen.getByTestId('save-lead'));
    await u.click(await screen.findByTestId('gate-log-activity-proposal'));
    const dialog = await screen.findByTestId('gate-log-dialog');
    await u.click(within(dialog).getByTestId('activity-submit'));
    fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(screen.getByTestId('gate-log-dialog')).toBeInTheDocument();
    answer.reject(apiErr({ code: 'validation', message: 'subject is required', fields: [{ field: 'subject', message: 'is required' }] }));
    expect(await within(dialog).findByTestId('error-subject')).toHaveTextContent('Subject is required');
  });

  it('leaves the form alone on Esc while the log dialog is open, wherever the focus fell', async () => {
    const { u, oncancel } = setup(
      {
        updateLead: async () => {
          throw apiErr({
            code: 'stage_gate',
            message: 'To enter In discussion, this lead needs: a “Proposal sent” activity',
            fields: [{ field: 'activity.proposal', message: 'is needed' }],
          });
        },
      },
      lead({ id: 42, stage: 'new' }),
    );
    await u.click(screen.getByTestId('save-lead'));
    await u.click(await screen.findByTestId('gate-log-activity-proposal'));
    await screen.findByTestId('gate-log-dialog');
    (document.activeElement as HTMLElement | null)?.blur();
    await u.keyboard('{Escape}');
    expect(oncancel).not.toHaveBeenCalled();
    expect(screen.queryByTestId('confirm-discard')).toBeNull();
  });

  it("clears a Draft's missing contact point once an email or a phone is typed, and says to save again", async () => {
    const { u } = setup(
      {
        updateLead: async () => {
          throw apiErr({
            code: 'stage_gate',
            message: 'To enter In discussion, this lead needs: a valid email or phone number',
            fields: [{ field: 'emails', message: 'a valid email or phone number is needed' }],
          });
        },
      },
      lead({ id: 42, stage: 'new', emails: [], phones: [] }),
    );
    await u.click(screen.getByTestId('save-lead'));
    await screen.findByTestId('gate-refusal');
    // Said on the first email row, where it can be answered.
    expect(screen.getByTestId('contact-list-emails')).toHaveTextContent('A valid email or phone number is needed');
    await u.type(screen.getByTestId('field-phone-0'), '+44 20 7946 0018');
    expect(await screen.findByTestId('gate-ready')).toBeInTheDocument();
  });

  it('tells a new lead to be saved in an earlier stage first, offering no activity to log', async () => {
    const { be, u } = setup({ createLead: async () => Promise.reject(gateRefusal()) });
    await u.type(screen.getByTestId('field-last_name'), 'Lovelace');
    await u.click(screen.getByTestId('save-lead'));
    const alert = await screen.findByTestId('gate-refusal');
    expect(alert).toHaveTextContent(GATE_MESSAGE);
    expect(within(alert).queryByTestId('gate-log-activity-proposal')).toBeNull();
    expect(within(alert).getByTestId('gate-new-lead')).toHaveTextContent('save it in an earlier stage first');
    expect(be.logActivity).not.toHaveBeenCalled();
  });
});

describe('a stage that asks for a contact list', () => {
  it("clears the stage's phone error when a phone is typed, and leaves its email error to an email", async () => {
    const { u } = setup(
      {
        updateLead: async () => {
          throw apiErr({
            code: 'stage_gate',
            message: 'To enter In discussion, this lead needs: Emails, Phones',
            fields: [
              { field: 'emails', message: 'Emails is needed to enter In discussion' },
              { field: 'phones', message: 'Phones is needed to enter In discussion' },
            ],
          });
        },
      },
      lead({ id: 7, emails: [], phones: [] }),
    );
    await u.type(screen.getByTestId('field-job_title'), 'x');
    await u.click(screen.getByTestId('save-lead'));
    await screen.findByText('Phones is needed to enter In discussion');
    await u.type(screen.getByTestId('field-phone-0'), '+44 20 7946 0018');
    expect(screen.queryByText('Phones is needed to enter In discussion')).toBeNull();
    expect(screen.getAllByText('Emails is needed to enter In discussion').length).toBeGreaterThan(0);
  });
});
