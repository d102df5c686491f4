import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { liveRegionsSaying } from '../../test/a11y';
import { apiErr, change, historyPage, deferred, lead, mockBackend, savedLead } from '../../test/fixtures';
import { nav } from '../nav.svelte';
import { leadEvents } from './events.svelte';
import { TOAST_PAGE_GRACE_MS, toasts } from '../toast.svelte';
import type { Lead, LeadInput } from '../types';
import Toasts from '../ui/Toasts.svelte';
import LeadForm from './LeadForm.svelte';

function setup(over: Parameters<typeof mockBackend>[0] = {}, leadToEdit: ReturnType<typeof lead> | null = null) {
  const be = mockBackend(over);
  const onsaved = vi.fn();
  const oncancel = vi.fn();
  const onundone = vi.fn();
  render(LeadForm, { lead: leadToEdit, onsaved, oncancel, onundone });
  render(Toasts);
  return { be, onsaved, oncancel, onundone, u: userEvent.setup() };
}

describe('LeadForm', () => {
  it("shows a campaign outside the user's beside the campaign field, nothing typed lost", async () => {
    const { u } = setup({
      createLead: async () => {
        throw apiErr({
          code: 'permission_denied',
          message: 'campaign "Fall Webinar" is not one of the campaigns you work on',
          field: 'campaign',
          fields: [{ field: 'campaign', message: 'campaign "Fall Webinar" is not one of the campaigns you work on' }],
        });
      },
    });
    await u.type(screen.getByTestId('field-first_name'), 'Ada');
    await u.type(screen.getByTestId('field-campaign'), 'Fall Webinar');
    await u.click(screen.getByTestId('save-lead'));
    const inline = await screen.findByTestId('error-campaign');
    expect(inline).toHaveTextContent('is not one of the campaigns you work on');
    expect(screen.getByTestId('field-campaign').closest('.field')).toContainElement(inline);
    expect(screen.getByTestId('field-first_name')).toHaveValue('Ada');
  });

  it('shows the backend error under emails.0, keeps every typed value, and lists it at the top', async () => {
    const { be, u, onsaved } = setup({
      createLead: async () => {
        throw apiErr({
          code: 'validation',
          message: 'emails.0: "ada@" is not a valid email address',
          fields: [{ field: 'emails.0', message: '"ada@" is not a valid email address' }],
        });
      },
    });
    await u.type(screen.getByTestId('field-first_name'), 'Ada');
    await u.type(screen.getByTestId('field-last_name'), 'Lovelace');
    await u.type(screen.getByTestId('field-company'), 'Analytical Engines');
    await u.type(screen.getByTestId('field-email-0'), 'ada@');
    await u.type(screen.getByTestId('field-phone-0'), '+44 20 7946 0018');
    await u.click(screen.getByTestId('save-lead'));

    const inline = await screen.findByTestId('error-emails.0');
    expect(inline).toHaveTextContent('"ada@" is not a valid email address');
    // The message sits right under its input.
    expect(screen.getByTestId('field-email-0').closest('.field')).toContainElement(inline);
    expect(screen.getByTestId('form-errors')).toHaveTextContent('Email 1');
    // Nothing typed is lost.
    expect(screen.getByTestId('field-first_name')).toHaveValue('Ada');
    expect(screen.getByTestId('field-last_name')).toHaveValue('Lovelace');
    expect(screen.getByTestId('field-company')).toHaveValue('Analytical Engines');
    expect(screen.getByTestId('field-email-0')).toHaveValue('ada@');
    expect(screen.getByTestId('field-phone-0')).toHaveValue('+44 20 7946 0018');
    expect(onsaved).not.toHaveBeenCalled();

    const sent = be.createLead.mock.calls[0][0] as LeadInput;
    expect(sent).toMatchObject({
      first_name: 'Ada',
      last_name: 'Lovelace',
      company: 'Analytical Engines',
      emails: ['ada@'],
      phones: ['+44 20 7946 0018'],
      source: 'direct_entry',
    });
  });

  it('has screen readers say each field error once: in the summary, not again beside the field', async () => {
    const { u } = setup({
      createLead: async () => {
        throw apiErr({
          code: 'validation',
          message: 'two fields',
          fields: [
            { field: 'first_name', message: 'Too long, keep it under 200 characters' },
            { field: 'emails.0', message: 'Not an address we can write to' },
          ],
        });
      },
    });
    await u.type(screen.getByTestId('field-email-0'), 'ada@x.org');
    await u.click(screen.getByTestId('save-lead'));
    await screen.findByTestId('error-emails.0');

    for (const message of ['Too long, keep it under 200 characters', 'Not an address we can write to']) {
      expect(liveRegionsSaying(message), message).toEqual([screen.getByTestId('form-errors')]);
    }
    // Beside its field, the message is the field's description: read when the field is focused.
    expect(screen.getByTestId('field-first_name')).toHaveAccessibleDescription('Too long, keep it under 200 characters');
    expect(screen.getByTestId('field-first_name')).toHaveFocus();
    expect(screen.getByTestId('field-email-0')).toHaveAccessibleDescription('Not an address we can write to');
  });

  it('announces a hint of its own (no summary lists it) once, beside the row', async () => {
    const { u } = setup();
    await u.type(screen.getByTestId('field-email-0'), 'ada.example.com');
    await u.tab();
    const hint = screen.getByTestId('error-emails.0');
    expect(liveRegionsSaying(hint.textContent!.trim())).toEqual([hint]);
  });

  it('renders emails and phones with the one ContactList, each in its own column', () => {
    setup();
    const emails = screen.getByTestId('contact-list-emails');
    const phones = screen.getByTestId('contact-list-phones');
    expect(within(emails).getByTestId('field-email-0')).toHaveAttribute('type', 'email');
    expect(within(emails).getByTestId('add-email')).toBeInTheDocument();
    expect(within(phones).getByTestId('field-phone-0')).toHaveAttribute('type', 'tel');
    expect(within(phones).getByTestId('add-phone')).toBeInTheDocument();
    expect(within(phones).getByText(/without a country code/)).toBeInTheDocument();
  });

  it('puts an error for the second phone row under that row', async () => {
    const { u } = setup({
      createLead: async () => {
        throw apiErr({
          code: 'validation',
          message: 'phones.1: "12" is too short',
          fields: [{ field: 'phones.1', message: '"12" is too short' }],
        });
      },
    });
    await u.type(screen.getByTestId('field-phone-0'), '+1 202 555 0100');
    await u.click(screen.getByTestId('add-phone'));
    await u.type(screen.getByTestId('field-phone-1'), '12');
    await u.click(screen.getByTestId('save-lead'));
    const inline = await screen.findByTestId('error-phones.1');
    expect(screen.getByTestId('field-phone-1').closest('.field')).toContainElement(inline);
    expect(screen.queryByTestId('error-phones.0')).toBeNull();
    // No "Complete: will be saved as Active" beside the refusal.
    expect(screen.queryByTestId('completeness-hint')).toBeNull();
  });

  it('says the lead will be a Draft, and why, while no contact point is filled', async () => {
    const { u } = setup();
    const hint = screen.getByTestId('completeness-hint');
    expect(hint).toHaveTextContent('Draft');
    expect(hint).toHaveTextContent('a first or last name');

    await u.type(screen.getByTestId('field-first_name'), 'Ada');
    expect(hint).toHaveTextContent('Will be saved as Draft — missing a valid email or phone number.');
    expect(hint).not.toHaveTextContent('first or last name');

    await u.type(screen.getByTestId('field-email-0'), 'ada@example.com');
    expect(hint).toHaveTextContent('Active');
    expect(hint).not.toHaveTextContent('Draft');

    await u.selectOptions(screen.getByTestId('field-source'), '');
    expect(hint).toHaveTextContent('missing a source channel');
  });

  it('hints at an email without "@" when the field is left', async () => {
    const { u } = setup();
    await u.type(screen.getByTestId('field-email-0'), 'ada.example.com');
    expect(screen.queryByTestId('error-emails.0')).toBeNull();
    await u.tab();
    expect(screen.getByTestId('error-emails.0')).toHaveTextContent('"@"');
  });

  it('creates the lead, sends empty rows where they are, and reports a Draft save', async () => {
    const saved = lead({ status: 'draft', missing: ['contact_point'] });
    const { be, u, onsaved } = setup({ createLead: async () => savedLead(saved) });
    await u.type(screen.getByTestId('field-first_name'), 'Grace');
    await u.click(screen.getByTestId('add-email'));
    await u.type(screen.getByTestId('field-email-1'), 'g@x.org');
    await u.type(screen.getByTestId('field-tags'), 'vip, cobol ,');
    await waitFor(() => expect(screen.getByTestId('field-stage')).toHaveValue('new'));
    await u.click(screen.getByTestId('save-lead'));

    await waitFor(() => expect(onsaved).toHaveBeenCalledWith(saved));
    const sent = be.createLead.mock.calls[0][0] as LeadInput;
    // Row indices are preserved so `emails.N` in any answer points at row N.
    expect(sent.emails).toEqual(['', 'g@x.org']);
    expect(sent.tags).toEqual(['vip', 'cobol']);
    expect(sent.stage).toBe('new');
    expect(sent.owner_id).toBeNull();
    expect(toasts.items.map((t) => t.message)).toContain('Grace Hopper saved as Draft — missing: a valid email or phone number');
  });

  it('saves an edit with the version it started from, on Ctrl+S', async () => {
    const original = lead({ id: 42, version: 5 });
    const { be, u, onsaved } = setup({}, original);
    expect(screen.getByTestId('field-first_name')).toHaveValue('Grace');
    // Phones are edited as they were typed.
    expect(screen.getByTestId('field-phone-0')).toHaveValue('020 7946 0018');
    await u.clear(screen.getByTestId('field-job_title'));
    await u.type(screen.getByTestId('field-job_title'), 'Admiral');
    await u.keyboard('{Control>}s{/Control}');

    await waitFor(() => expect(be.updateLead).toHaveBeenCalledOnce());
    const [id, version, input] = be.updateLead.mock.calls[0];
    expect(id).toBe(42);
    expect(version).toBe(5);
    expect(input).toMatchObject({ job_title: 'Admiral', phones: ['020 7946 0018'], emails: ['grace@NAVY.mil'] });
    await waitFor(() => expect(onsaved).toHaveBeenCalled());
    expect(toasts.items.map((t) => t.message)).toContain('Grace Hopper saved');
  });

  it('keeps a tag that holds a comma whole when another field is saved, and one picked from those in use', async () => {
    const original = lead({ id: 42, version: 5, tags: ['Trade Fair, Berlin', 'vip'] });
    const { be, u } = setup(
      { leadFacets: async () => ({ campaigns: [], tags: ['Trade Fair, Berlin', 'Expo, Paris', 'vip'] }) },
      original,
    );
    expect(screen.getByTestId('field-tags')).toHaveValue('Trade Fair, Berlin, vip');
    await u.type(screen.getByTestId('field-job_title'), ' (retired)');
    await u.keyboard('{Control>}s{/Control}');
    await waitFor(() => expect(be.updateLead).toHaveBeenCalledOnce());
    expect(be.updateLead.mock.calls[0][2].tags).toEqual(['Trade Fair, Berlin', 'vip']);

    await u.type(screen.getByTestId('field-tags'), ', Ex');
    await waitFor(() => expect(screen.getAllByTestId('tag-suggestion').map((b) => b.textContent?.trim())).toEqual(['Expo, Paris']));
    await u.click(screen.getByTestId('tag-suggestion'));
    expect(screen.getByTestId('field-tags')).toHaveValue('Trade Fair, Berlin, vip, Expo, Paris, ');
    await u.keyboard('{Control>}s{/Control}');
    await waitFor(() => expect(be.updateLead).toHaveBeenCalledTimes(2));
    expect(be.updateLead.mock.calls[1][2].tags).toEqual(['Trade Fair, Berlin', 'vip', 'Expo, Paris']);
  });

  it("keeps a lead's own tags apart though another lead's one tag holds both", async () => {
    const original = lead({ id: 42, version: 5, tags: ['Trade Fair', 'Berlin'] });
    const { be, u } = setup({ leadFacets: async () => ({ campaigns: [], tags: ['Trade Fair, Berlin'] }) }, original);
    await waitFor(() => expect(be.leadFacets).toHaveBeenCalled());
    await u.type(screen.getByTestId('field-job_title'), ' (retired)');
    await u.keyboard('{Control>}s{/Control}');
    await waitFor(() => expect(be.updateLead).toHaveBeenCalledOnce());
    expect(be.updateLead.mock.calls[0][2].tags).toEqual(['Trade Fair', 'Berlin']);
  });

  it('leaves Ctrl+S and Esc to a dialog open over the form (the shortcuts help)', async () => {
    const { be, u, oncancel } = setup({}, lead({ id: 42, version: 5 }));
    await u.type(screen.getByTestId('field-job_title'), ' and more');
    const help = document.createElement('dialog');
    document.body.append(help);
    help.setAttribute('open', '');
    await u.keyboard('{Control>}s{/Control}');
    await u.keyboard('{Escape}');
    expect(be.updateLead).not.toHaveBeenCalled();
    expect(oncancel).not.toHaveBeenCalled();
    expect(screen.queryByTestId('confirm-discard')).toBeNull();
    help.remove();
    await u.keyboard('{Control>}s{/Control}');
    await waitFor(() => expect(be.updateLead).toHaveBeenCalledOnce());
  });

  it('names the lead this one was merged into meanwhile and offers it, asking before dropping what was typed', async () => {
    const { be, u } = setup(
      {
        updateLead: async () => {
          throw apiErr({
            code: 'merged_away',
            message: 'this lead was merged into Ann Lee (lead 3), where its details and history are now',
            merged_into: 3,
          });
        },
      },
      lead({ id: 42, version: 5 }),
    );
    nav.go({ name: 'edit-lead', id: 42 });
    await u.type(screen.getByTestId('field-notes'), 'call back');
    await u.click(screen.getByTestId('save-lead'));
    const error = await screen.findByTestId('form-error');
    expect(error).toHaveTextContent('This lead was merged into Ann Lee (lead 3), where its details and history are now');
    expect(be.updateLead).toHaveBeenCalledOnce();
    await u.click(within(error).getByTestId('lead-merged-open'));
    await u.click(await screen.findByTestId('discard-changes'));
    expect(nav.view).toEqual({ name: 'lead', id: 3 });
  });

  it('explains a conflict and reloads the latest version on request', async () => {
    const fresh = lead({ id: 42, version: 6, job_title: 'Commodore' });
    const { be, u } = setup(
      {
        updateLead: async () => {
          throw apiErr({ code: 'conflict', message: 'this lead was changed by someone else since you opened it' });
        },
        getLead: async () => fresh,
      },
      lead({ id: 42, version: 5 }),
    );
    await u.type(screen.getByTestId('field-notes'), 'call back');
    await u.click(screen.getByTestId('save-lead'));
    const banner = await screen.findByTestId('lead-conflict');
    expect(banner).toHaveTextContent('This lead changed while you were editing. Someone else, an import or an undo saved it first');
    expect(banner).not.toHaveTextContent('changed by someone else since');

    await u.click(within(banner).getByTestId('reload-lead'));
    await waitFor(() => expect(screen.getByTestId('field-job_title')).toHaveValue('Commodore'));
    expect(be.getLead).toHaveBeenCalledWith(42);
    expect(screen.queryByTestId('lead-conflict')).toBeNull();
    // What was typed here is still there, on their version.
    expect(screen.getByTestId('field-notes')).toHaveValue(`${lead().notes}call back`);

    await u.click(screen.getByTestId('save-lead'));
    await waitFor(() => expect(be.updateLead).toHaveBeenCalledTimes(2));
    expect(be.updateLead.mock.calls[1][1]).toBe(6);
    const sent = be.updateLead.mock.calls[1][2] as LeadInput;
    expect(sent.notes).toBe(`${lead().notes}call back`);
    expect(sent.job_title).toBe('Commodore');
  });

  it('keeps an address added meanwhile when it reloads, with the one typed here, and names a field changed on both sides', async () => {
    const mine = lead({ id: 42, version: 5, emails: [{ address: 'a@x.com', original: 'a@x.com' }] });
    const fresh = lead({
      id: 42,
      version: 6,
      company: 'Globex',
      emails: [
        { address: 'a@x.com', original: 'a@x.com' },
        { address: 'c@x.com', original: 'c@x.com' },
      ],
    });
    const { u } = setup(
      {
        updateLead: async () => {
          throw apiErr({ code: 'conflict', message: 'this lead was changed by someone else since you opened it' });
        },
        getLead: async () => fresh,
      },
      mine,
    );
    await u.click(screen.getByTestId('add-email'));
    await u.type(screen.getByTestId('field-email-1'), 'b@x.com');
    await u.clear(screen.getByTestId('field-company'));
    await u.type(screen.getByTestId('field-company'), 'Initech');
    await u.click(screen.getByTestId('save-lead'));
    await u.click(within(await screen.findByTestId('lead-conflict')).getByTestId('reload-lead'));
    await waitFor(() => expect(screen.queryByTestId('lead-conflict')).toBeNull());
    const rows = screen.getAllByTestId(/^field-email-\d+$/).map((i) => (i as HTMLInputElement).value);
    expect(rows).toEqual(['a@x.com', 'c@x.com', 'b@x.com']);
    expect(screen.getByTestId('field-company')).toHaveValue('Initech');
    expect(toasts.items.at(-1)?.message).toContain('Company was changed there too: yours is kept');
    await waitFor(() => expect(screen.getByTestId('save-lead')).toHaveFocus());
  });

  it('asks before discarding changes on Esc, and cancels at once when nothing changed', async () => {
    const { u, oncancel } = setup();
    await u.keyboard('{Escape}');
    expect(oncancel).toHaveBeenCalledOnce();

    await u.type(screen.getByTestId('field-company'), 'Acme');
    await u.keyboard('{Escape}');
    expect(await screen.findByTestId('confirm-discard')).toBeInTheDocument();
    expect(oncancel).toHaveBeenCalledOnce();
    await u.click(screen.getByTestId('keep-editing'));
    expect(screen.getByTestId('field-company')).toHaveValue('Acme');

    await u.click(screen.getByTestId('cancel-lead'));
    await u.click(await screen.findByTestId('discard-changes'));
    expect(oncancel).toHaveBeenCalledTimes(2);
  });

  it('asks before any other way out drops unsaved changes (the sidebar, a sign-out), and lets a clean form go', async () => {
    const { u, oncancel } = setup();
    nav.go({ name: 'calendar' });
    expect(nav.view).toEqual({ name: 'calendar' });
    nav.go({ name: 'new-lead' });

    await u.type(screen.getByTestId('field-notes'), 'Met at the fair');
    const signedOut = vi.fn();
    nav.leave(signedOut);
    expect(await screen.findByTestId('confirm-discard')).toHaveTextContent('have not been saved');
    expect(signedOut).not.toHaveBeenCalled();
    await u.click(screen.getByTestId('keep-editing'));
    expect(screen.getByTestId('field-notes')).toHaveValue('Met at the fair');

    nav.go({ name: 'calendar' });
    expect(nav.view).toEqual({ name: 'new-lead' });
    await u.click(await screen.findByTestId('discard-changes'));
    expect(nav.view).toEqual({ name: 'calendar' });
    expect(oncancel).not.toHaveBeenCalled();
  });

  it('lets a save under way decide a way out: taken once the save is in, asked about if it is refused', async () => {
    let answer!: { resolve: (l: ReturnType<typeof savedLead>) => void; reject: (e: unknown) => void };
    const original = lead({ id: 42, version: 5 });
    const { u, onsaved } = setup(
      {
        updateLead: () =>
          new Promise((resolve, reject) => {
            answer = { resolve, reject };
          }),
      },
      original,
    );
    nav.go({ name: 'lead', id: 42 });
    await u.type(screen.getByTestId('field-job_title'), ' II');
    await u.keyboard('{Control>}s{/Control}');
    nav.go({ name: 'calendar' });
    expect(screen.queryByTestId('confirm-discard')).toBeNull();
    expect(nav.view).toEqual({ name: 'lead', id: 42 });
    answer.resolve(savedLead(lead({ id: 42, version: 6 })));
    await waitFor(() => expect(nav.view).toEqual({ name: 'calendar' }));
    expect(onsaved).toHaveBeenCalledOnce();
  });

  it("takes no typing while a save runs (it would be lost on the saved lead's page), and gives the fields back if refused", async () => {
    const answers = [deferred<ReturnType<typeof savedLead>>(), deferred<ReturnType<typeof savedLead>>()];
    let call = 0;
    const { be, u, onsaved } = setup({ createLead: () => answers[call++].promise });
    await u.type(screen.getByTestId('field-first_name'), 'Ada');
    await u.type(screen.getByTestId('field-notes'), 'met at the fair');
    await u.keyboard('{Control>}s{/Control}');
    await waitFor(() => expect(be.createLead).toHaveBeenCalledOnce());
    expect(screen.getByTestId('field-notes')).toBeDisabled();
    expect(screen.getByTestId('field-email-0')).toBeDisabled();
    expect(screen.getByTestId('save-lead')).toHaveAttribute('aria-busy', 'true');
    await u.type(screen.getByTestId('field-notes'), ', call back');
    expect(screen.getByTestId('field-notes')).toHaveValue('met at the fair');

    answers[0].reject(apiErr({ code: 'internal', message: 'disk full' }));
    await waitFor(() => expect(screen.getByTestId('field-notes')).toBeEnabled());
    await u.type(screen.getByTestId('field-notes'), ', call back');
    await u.click(screen.getByTestId('save-lead'));
    await waitFor(() => expect(be.createLead).toHaveBeenCalledTimes(2));
    expect((be.createLead.mock.calls[1][0] as LeadInput).notes).toBe('met at the fair, call back');
    answers[1].resolve(savedLead(lead({ id: 7 })));
    await waitFor(() => expect(onsaved).toHaveBeenCalledOnce());
  });

  it('asks about a way out taken while a save was under way, once the save is refused', async () => {
    let answer!: { reject: (e: unknown) => void };
    const { u } = setup(
      {
        updateLead: () =>
          new Promise((_resolve, reject) => {
            answer = { reject };
          }),
      },
      lead({ id: 42, version: 5 }),
    );
    nav.go({ name: 'lead', id: 42 });
    await u.type(screen.getByTestId('field-job_title'), ' II');
    await u.keyboard('{Control>}s{/Control}');
    nav.go({ name: 'board' });
    answer.reject(apiErr({ code: 'internal', message: 'disk full' }));
    expect(await screen.findByTestId('confirm-discard')).toBeInTheDocument();
    expect(nav.view).toEqual({ name: 'lead', id: 42 });
  });

  it('follows its lead when a save of it is undone meanwhile, or says so at once when it holds changes', async () => {
    const l = lead({ id: 9, version: 3, job_title: 'Admiral' });
    const { u } = setup({}, l);
    leadEvents.changed(lead({ id: 9, version: 4, job_title: 'Captain' }));
    await waitFor(() => expect(screen.getByTestId('field-job_title')).toHaveValue('Captain'));
    expect(screen.queryByTestId('lead-conflict')).toBeNull();

    await u.type(screen.getByTestId('field-company'), ' Labs');
    leadEvents.changed(lead({ id: 9, version: 5, job_title: 'Commodore' }));
    expect(await screen.findByTestId('lead-conflict')).toHaveTextContent('This lead changed while you were editing');
    expect(screen.getByTestId('field-job_title')).toHaveValue('Captain');
    // Another lead's news is not this form's.
    leadEvents.changed(lead({ id: 10, version: 9, job_title: 'Other' }));
    expect(screen.getByTestId('field-job_title')).toHaveValue('Captain');
  });

  it('removes a contact row and moves the errors of later rows with their values', async () => {
    const { u } = setup({
      createLead: async () => {
        throw apiErr({
          code: 'validation',
          message: 'emails.2: bad',
          fields: [{ field: 'emails.2', message: 'Bad address' }],
        });
      },
    });
    await u.type(screen.getByTestId('field-email-0'), 'a@x.org');
    await u.click(screen.getByTestId('add-email'));
    await u.type(screen.getByTestId('field-email-1'), 'b@x.org');
    await u.click(screen.getByTestId('add-email'));
    await u.type(screen.getByTestId('field-email-2'), 'bad@');
    await u.click(screen.getByTestId('save-lead'));
    await screen.findByTestId('error-emails.2');

    await u.click(screen.getByTestId('remove-email-0'));
    expect(screen.getByTestId('field-email-1')).toHaveValue('bad@');
    expect(screen.getByTestId('error-emails.1')).toHaveTextContent('Bad address');
    expect(screen.queryByTestId('error-emails.2')).toBeNull();
  });

  it('keeps the focus in the list when a contact row is removed: on the row before, else the first row', async () => {
    const { u } = setup();
    await u.type(screen.getByTestId('field-email-0'), 'a@x.org');
    await u.click(screen.getByTestId('add-email'));
    await u.type(screen.getByTestId('field-email-1'), 'b@x.org');
    await u.click(screen.getByTestId('add-email'));
    await u.type(screen.getByTestId('field-email-2'), 'c@x.org');

    await u.click(screen.getByTestId('remove-email-2'));
    await waitFor(() => expect(screen.getByTestId('field-email-1')).toHaveFocus());
    await u.click(screen.getByTestId('remove-email-1'));
    await waitFor(() => expect(screen.getByTestId('field-email-0')).toHaveFocus());
    // The last row emptied: its Remove hides, and the row itself takes the focus.
    await u.click(screen.getByTestId('remove-email-0'));
    expect(screen.getByTestId('field-email-0')).toHaveValue('');
    expect(screen.queryByTestId('remove-email-0')).toBeNull();
    await waitFor(() => expect(screen.getByTestId('field-email-0')).toHaveFocus());
  });

  it('keeps the focus near a value kept as invalid once it is removed, not on the page', async () => {
    const { u } = setup(
      {},
      lead({
        id: 42,
        invalid: [
          { field: 'emails', value: 'bob@', reason: 'no domain' },
          { field: 'phones', value: '12', reason: 'too short' },
        ],
      }),
    );
    await u.click(screen.getByTestId('drop-invalid-1'));
    await waitFor(() => expect(screen.getByTestId('drop-invalid-0')).toHaveFocus());
    await u.click(screen.getByTestId('drop-invalid-0'));
    expect(screen.queryByTestId('invalid-values')).toBeNull();
    await waitFor(() => expect(screen.getByTestId('add-phone')).toHaveFocus());
  });

  it('puts an error on a value kept as invalid (or its reason) beside that value, and moves it with the rows', async () => {
    const flagged = lead({
      id: 42,
      status: 'draft',
      missing: ['fix_invalid'],
      invalid: [
        { field: 'emails', value: 'bob@', reason: 'no domain' },
        { field: 'phones', value: '12', reason: 'x'.repeat(400) },
      ],
    });
    setup(
      {
        updateLead: async () => {
          throw apiErr({
            code: 'validation',
            message: 'invalid.1.reason: is longer than 320 characters',
            fields: [{ field: 'invalid.1.reason', message: 'is longer than 320 characters' }],
          });
        },
      },
      flagged,
    );
    const u = userEvent.setup();
    await u.type(screen.getByTestId('field-job_title'), 'x');
    await u.click(screen.getByTestId('save-lead'));
    expect(await screen.findByTestId('invalid-error-1')).toHaveTextContent('is longer than 320 characters');
    expect(screen.getByTestId('form-errors')).toHaveTextContent('Needs fixing 2 (reason)');
    await waitFor(() => expect(document.activeElement?.id).toBe('lf-invalid-1'));
    // The first row removed, the error goes with its row.
    await u.click(screen.getByTestId('drop-invalid-0'));
    expect(screen.getByTestId('invalid-error-0')).toHaveTextContent('is longer than 320 characters');
    await u.click(screen.getByTestId('drop-invalid-0'));
    expect(screen.queryByTestId('form-errors')).toBeNull();
  });

  it('keeps values kept as invalid through an edit, and lets each be fixed in its list or removed', async () => {
    const flagged = lead({
      id: 42,
      status: 'draft',
      missing: ['fix_invalid'],
      invalid: [
        { field: 'emails', value: 'bob@', reason: 'no domain' },
        { field: 'phones', value: '12', reason: 'too short' },
      ],
    });
    const { be, u } = setup({}, flagged);
    const list = screen.getByTestId('invalid-values');
    expect(list).toHaveTextContent('Needs fixing');
    expect(within(list).getAllByTestId('invalid-value').map((li) => li.textContent)).toEqual([
      expect.stringContaining('“bob@”'),
      expect.stringContaining('“12”'),
    ]);
    expect(screen.getByTestId('completeness-hint')).toHaveTextContent('a fix for the values kept as invalid');

    // Fix: the value moves into a new email row, focused for correcting.
    await u.click(screen.getByTestId('fix-invalid-0'));
    expect(screen.getByTestId('field-email-1')).toHaveValue('bob@');
    expect(screen.getByTestId('field-email-1')).toHaveFocus();
    await u.type(screen.getByTestId('field-email-1'), 'example.com');
    await u.click(screen.getByTestId('save-lead'));
    await waitFor(() => expect(be.updateLead).toHaveBeenCalledOnce());
    expect(be.updateLead.mock.calls[0][2]).toMatchObject({
      emails: ['grace@NAVY.mil', 'bob@example.com'],
      invalid: [{ field: 'phones', value: '12', reason: 'too short' }],
    });
  });

  it('drops a value kept as invalid only when asked to', async () => {
    const { be, u } = setup(
      {},
      lead({ id: 42, invalid: [{ field: 'phones', value: '12', reason: 'too short' }] }),
    );
    await u.click(screen.getByTestId('drop-invalid-0'));
    expect(screen.queryByTestId('invalid-values')).toBeNull();
    await u.click(screen.getByTestId('save-lead'));
    await waitFor(() => expect(be.updateLead).toHaveBeenCalledOnce());
    expect(be.updateLead.mock.calls[0][2]).toMatchObject({ phones: ['020 7946 0018'], invalid: [] });
  });

  describe('Undo after saving an edit', () => {
    const original = lead({ id: 42, version: 5, job_title: 'Rear Admiral' });
    const saved = lead({ id: 42, version: 6, job_title: 'Admiral' });
    const history = async () => historyPage([
      change({ id: 31, batch_id: 17, entity_id: 42, field: 'job_title', old_value: 'Rear Admiral', new_value: 'Admiral' }),
      change({ id: 30, batch_id: 9, entity_id: 42, field: 'company', old_value: '', new_value: 'Navy' }),
      change({ id: 1, batch_id: 1, entity_id: 42, field: '*', old_value: null, new_value: '{}' }),
    ]);

    async function editAndSave(u: ReturnType<typeof userEvent.setup>) {
      await u.clear(screen.getByTestId('field-job_title'));
      await u.type(screen.getByTestId('field-job_title'), 'Admiral');
      await u.click(screen.getByTestId('save-lead'));
    }

    it('offers Undo in the success toast, which reverts the batch the save wrote', async () => {
      const reverted: Lead = lead({ id: 42, version: 7, job_title: 'Rear Admiral' });
      const { be, u, onsaved, onundone } = setup(
        // Someone else saved (batch 17) in the same instant: the history's newest batch is not this save's.
        {
          updateLead: async () => savedLead(saved, 18),
          leadHistory: history,
          undoLeadChange: async () => savedLead(reverted, 19),
        },
        original,
      );
      await editAndSave(u);
      await waitFor(() => expect(onsaved).toHaveBeenCalledWith(saved));
      expect(be.leadHistory).not.toHaveBeenCalled();
      const toast = screen.getByText('Grace Hopper saved').closest('[data-testid="toast"]') as HTMLElement;
      const undo = within(toast).getByTestId('toast-undo');
      expect(undo).toHaveTextContent('Undo');
      expect(be.undoLeadChange).not.toHaveBeenCalled();

      await u.click(undo);
      await waitFor(() => expect(onundone).toHaveBeenCalledWith(reverted));
      expect(be.undoLeadChange).toHaveBeenCalledExactlyOnceWith(42, 18);
      expect(screen.getByText('Change undone')).toBeInTheDocument();
      // The saved toast is gone with its button: one undo per save.
      expect(screen.queryByText('Grace Hopper saved')).toBeNull();
      expect(screen.queryByTestId('toast-undo')).toBeNull();
    });

    it('keeps the Undo when the user goes to another page while its window lasts; a plain save toast goes', async () => {
      const { u, onsaved } = setup({ updateLead: async () => savedLead(saved, 18), leadHistory: history }, original);
      nav.go({ name: 'edit-lead', id: 42 });
      await editAndSave(u);
      await waitFor(() => expect(onsaved).toHaveBeenCalledWith(saved));
      // Not a toast of the move that raised it: a while later, the user goes elsewhere.
      const later = Date.now() + TOAST_PAGE_GRACE_MS;
      vi.spyOn(Date, 'now').mockReturnValue(later);
      toasts.info('Copied');
      vi.spyOn(Date, 'now').mockReturnValue(later + TOAST_PAGE_GRACE_MS);
      nav.go({ name: 'board' });
      expect(await screen.findByTestId('toast-undo')).toBeInTheDocument();
      expect(screen.getByText('Grace Hopper saved')).toBeInTheDocument();
      expect(screen.queryByText('Copied')).toBeNull();
    });

    it('explains why an undo is refused when the fields were edited again since', async () => {
      const { be, u, onsaved, onundone } = setup(
        {
          updateLead: async () => savedLead(saved, 17),
          leadHistory: history,
          undoLeadChange: async () => {
            throw apiErr({ code: 'conflict', message: 'this lead was changed by someone else since you opened it' });
          },
        },
        original,
      );
      await editAndSave(u);
      await waitFor(() => expect(onsaved).toHaveBeenCalled());
      await u.click(await screen.findByTestId('toast-undo'));
      expect(
        await screen.findByText("This change can't be undone: those fields were edited again since."),
      ).toBeInTheDocument();
      expect(be.undoLeadChange).toHaveBeenCalledWith(42, 17);
      expect(onundone).not.toHaveBeenCalled();
      expect(toasts.items.find((t) => t.message.startsWith("This change can't"))?.kind).toBe('error');
    });

    it('offers no Undo after creating a lead', async () => {
      const created = setup({ createLead: async () => savedLead(lead({ id: 50, version: 1 }), 9), leadHistory: history });
      await created.u.type(screen.getByTestId('field-first_name'), 'Grace');
      await created.u.click(screen.getByTestId('save-lead'));
      await waitFor(() => expect(created.onsaved).toHaveBeenCalled());
      expect(screen.getByText('Grace Hopper saved')).toBeInTheDocument();
      expect(screen.queryByTestId('toast-undo')).toBeNull();
      expect(created.be.leadHistory).not.toHaveBeenCalled();
    });

    it('offers no Undo when the save wrote no change (no batch)', async () => {
      const { be, u, onsaved } = setup(
        { updateLead: async () => savedLead(original, null), leadHistory: history },
        original,
      );
      await u.click(screen.getByTestId('save-lead'));
      await waitFor(() => expect(onsaved).toHaveBeenCalled());
      expect(screen.getByText('Grace Hopper saved')).toBeInTheDocument();
      expect(screen.queryByTestId('toast-undo')).toBeNull();
      expect(be.leadHistory).not.toHaveBeenCalled();
    });
  });

  it('suggests campaigns and tags in use', async () => {
    const { be, u } = setup({
      leadFacets: async () => ({ campaigns: ['Spring Fair', 'Webinar'], tags: ['vip', 'follow-up', 'cobol'] }),
    });
    const campaign = screen.getByTestId('field-campaign');
    const options = screen.getByTestId('campaign-options');
    expect(campaign).toHaveAttribute('list', options.id);
    await waitFor(() =>
      expect([...options.querySelectorAll('option')].map((o) => o.value)).toEqual(['Spring Fair', 'Webinar']),
    );
    expect(be.leadFacets).toHaveBeenCalledOnce();

    const tags = screen.getByTestId('field-tags');
    const suggested = () => screen.queryAllByTestId('tag-suggestion').map((b) => b.textContent?.trim());
    expect(suggested()).toEqual(['vip', 'follow-up', 'cobol']);
    // Typing narrows the suggestions to the tag being typed; picking one completes it.
    await u.type(tags, 'vip, fol');
    expect(suggested()).toEqual(['follow-up']);
    await u.click(screen.getByTestId('tag-suggestion'));
    expect(tags).toHaveValue('vip, follow-up, ');
    expect(suggested()).toEqual(['cobol']);
  });

  describe('when the stages and owners cannot be loaded', () => {
    const optionLabels = (testid: string) =>
      [...(screen.getByTestId(testid) as HTMLSelectElement).options].map((o) => o.textContent?.trim());

    it('says so beside the Owner and Stage fields and loads them again on Try again', async () => {
      let failing = true;
      const { be, u } = setup({
        stages: async () => {
          if (failing) throw apiErr({ code: 'internal', message: 'The database is busy' });
          return [
            { key: 'new', label: 'New', closed: false },
            { key: 'qualified', label: 'Qualified', closed: false },
          ];
        },
        owners: async () => {
          if (failing) throw apiErr({ code: 'internal', message: 'The database is busy' });
          return [{ id: 1, name: 'Ada Admin' }];
        },
      });
      const warning = await screen.findByTestId('lead-choices-error');
      expect(warning).toHaveClass('callout', 'callout-warning');
      expect(warning).toHaveTextContent('Could not load the stages and owners: The database is busy');
      // Above the fields it is about, in their section.
      const section = screen.getByTestId('section-pipeline');
      expect(section).toContainElement(warning);
      expect(section).toContainElement(screen.getByTestId('field-owner'));
      expect(optionLabels('field-owner')).toEqual(['— Unassigned —']);
      // The rest of the form is still there to fill in.
      expect(screen.getByTestId('field-first_name')).toBeEnabled();

      failing = false;
      await u.click(within(warning).getByTestId('lead-choices-retry'));
      await waitFor(() => expect(screen.queryByTestId('lead-choices-error')).toBeNull());
      expect(be.stages).toHaveBeenCalledTimes(2);
      expect(be.owners).toHaveBeenCalledTimes(2);
      expect(optionLabels('field-owner')).toEqual(['— Unassigned —', 'Ada Admin']);
      expect(optionLabels('field-stage')).toEqual(['New', 'Qualified']);
      expect(screen.getByTestId('field-stage')).toHaveValue('new');
    });

    it('names only the list that failed', async () => {
      setup({ owners: async () => Promise.reject(apiErr({ code: 'internal', message: 'Timed out' })) });
      const warning = await screen.findByTestId('lead-choices-error');
      expect(warning).toHaveTextContent('Could not load the owners: Timed out');
      expect(warning).toHaveTextContent('the Owner list offers only the current choice');
      await waitFor(() => expect(optionLabels('field-stage')).toEqual(['New', 'Qualified']));
    });

    it("saves an edit with the lead's own owner and stage, not Unassigned or the first stage", async () => {
      const fail = async () => Promise.reject(apiErr({ code: 'internal', message: 'down' }));
      const original = lead({ id: 42, version: 5, owner: { id: 9, name: 'Bea Seller' }, stage: 'qualified' });
      const { be, u } = setup({ stages: fail, owners: fail }, original);
      await screen.findByTestId('lead-choices-error');
      expect(screen.getByTestId('field-owner')).toHaveValue('9');
      expect(screen.getByTestId('field-stage')).toHaveValue('qualified');
      await u.clear(screen.getByTestId('field-job_title'));
      await u.type(screen.getByTestId('field-job_title'), 'Admiral');
      await u.click(screen.getByTestId('save-lead'));
      await waitFor(() => expect(be.updateLead).toHaveBeenCalledOnce());
      expect(be.updateLead.mock.calls[0][2]).toMatchObject({ job_title: 'Admiral', owner_id: 9, stage: 'qualified' });
    });

    it("saves a new lead in the core's default stage and without an owner", async () => {
      const fail = async () => Promise.reject(apiErr({ code: 'internal', message: 'down' }));
      const { be, u } = setup({ stages: fail, owners: fail, createLead: async () => savedLead(lead()) });
      await screen.findByTestId('lead-choices-error');
      await u.type(screen.getByTestId('field-first_name'), 'Grace');
      await u.click(screen.getByTestId('save-lead'));
      await waitFor(() => expect(be.createLead).toHaveBeenCalledOnce());
      const sent = be.createLead.mock.calls[0][0] as LeadInput;
      // An empty stage is the core's first stage.
      expect(sent.stage).toBe('');
      expect(sent.owner_id).toBeNull();
    });
  });

  it("offers as owners those who work on the lead's campaign, and says so of one chosen who does not", async () => {
    const ownersForCampaign = vi.fn(async (campaign: string) =>
      campaign.toLowerCase() === 'spring'
        ? [
            { id: 1, name: 'Ada Admin' },
            { id: 3, name: 'Sam Spring' },
          ]
        : [
            { id: 1, name: 'Ada Admin' },
            { id: 2, name: 'Otto Autumn' },
          ],
    );
    const { u } = setup({
      owners: async () => [
        { id: 1, name: 'Ada Admin' },
        { id: 2, name: 'Otto Autumn' },
        { id: 3, name: 'Sam Spring' },
      ],
      ownersForCampaign,
    });
    const labels = () =>
      [...(screen.getByTestId('field-owner') as HTMLSelectElement).options].map((o) => o.textContent?.trim());
    await u.type(screen.getByTestId('field-campaign'), 'Spring');
    await waitFor(() => expect(labels()).toEqual(['— Unassigned —', 'Ada Admin', 'Sam Spring']));
    expect(ownersForCampaign).toHaveBeenLastCalledWith('Spring');
    await u.selectOptions(screen.getByTestId('field-owner'), '3');
    await u.clear(screen.getByTestId('field-campaign'));
    await u.type(screen.getByTestId('field-campaign'), 'Autumn');
    await waitFor(() =>
      expect(labels()).toEqual(['— Unassigned —', 'Ada Admin', 'Otto Autumn', 'Sam Spring (not on this campaign)']),
    );
  });
});
