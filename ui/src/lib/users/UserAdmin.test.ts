import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { apiErr, mockBackend, sessionFor, user } from '../../test/fixtures';
import { nav } from '../nav.svelte';
import { session } from '../session.svelte';
import UserAdmin from './UserAdmin.svelte';

/** Opens the user admin and saves a new user "eve" marked as a data steward. */
async function addEveAsSteward() {
  render(UserAdmin);
  const u = userEvent.setup();
  await u.click(await screen.findByTestId('add-user'));
  await u.type(screen.getByTestId('user-username'), 'eve');
  await u.type(screen.getByTestId('user-password'), 'long-password');
  await u.click(screen.getByTestId('user-steward'));
  await u.click(screen.getByTestId('user-submit'));
  return u;
}

/**
 * A backend holding Eve, an editor, whose updateUser saves only on the version it was shown and otherwise
 * refuses with a conflict, as the core does. Change `eve.current` to have someone else save her meanwhile.
 */
function conflictingEve() {
  const eve = { current: user({ id: 2, username: 'eve', display_name: 'Eve', role: 'editor', all_campaigns: true }) };
  const be = mockBackend({
    listUsers: async () => [user(), eve.current],
    updateUser: async (id, seen, input) => {
      if (JSON.stringify(seen) !== JSON.stringify(eve.current)) {
        throw apiErr({
          code: 'conflict',
          message: 'this user was changed by someone else since you opened it; reload it and apply your change again',
        });
      }
      eve.current = { ...eve.current, ...input, id };
      return eve.current;
    },
  });
  return { be, eve };
}

describe('UserAdmin', () => {
  it('lists users with role, state and campaign restriction', async () => {
    session.current = sessionFor('administrator');
    mockBackend({
      listUsers: async () => [
        user(),
        user({ id: 2, username: 'eve', display_name: 'Eve', role: 'editor', campaigns: ['Spring', 'Fall'], all_campaigns: false }),
        user({ id: 3, username: 'vic', display_name: 'Vic', role: 'viewer', active: false }),
      ],
    });
    render(UserAdmin);
    const rows = await screen.findAllByTestId('user-row');
    expect(rows).toHaveLength(3);
    expect(rows[1]).toHaveTextContent('Editor');
    expect(rows[1]).toHaveTextContent('Spring, Fall');
    expect(rows[0]).toHaveTextContent('All campaigns');
    expect(rows[2]).toHaveTextContent('Inactive');
    // One's own password is changed in Settings, with the current password.
    expect(within(rows[0]).queryByTestId('reset-password-btn')).toBeNull();
    expect(within(rows[1]).getByTestId('reset-password-btn')).toBeInTheDocument();
  });

  it('adds a user and shows a backend field error under its field, keeping the values', async () => {
    session.current = sessionFor('administrator');
    const be = mockBackend({
      createUser: async () => {
        throw apiErr({
          code: 'validation',
          message: 'username: "eve" is taken',
          fields: [{ field: 'username', message: '"eve" is taken' }],
        });
      },
    });
    render(UserAdmin);
    const u = userEvent.setup();
    await u.click(await screen.findByTestId('add-user'));
    await u.type(screen.getByTestId('user-username'), 'eve');
    await u.type(screen.getByTestId('user-display-name'), 'Eve Editor');
    await u.selectOptions(screen.getByTestId('user-role'), 'viewer');
    await u.type(screen.getByTestId('user-campaigns'), 'Spring, , Fall');
    await u.type(screen.getByTestId('user-password'), 'long-password');
    await u.click(screen.getByTestId('user-submit'));

    expect(await screen.findByTestId('error-username')).toHaveTextContent('"eve" is taken');
    expect(be.createUser).toHaveBeenCalledWith(
      {
        username: 'eve',
        display_name: 'Eve Editor',
        role: 'viewer',
        active: true,
        campaigns: ['Spring', 'Fall'],
        all_campaigns: false,
      },
      'long-password',
      false,
    );
    expect(screen.getByTestId('user-display-name')).toHaveValue('Eve Editor');
  });

  it("grants every campaign only when ticked, and keeps a limited user's campaigns when editing", async () => {
    session.current = sessionFor('administrator');
    const vic = user({ id: 3, username: 'vic', display_name: 'Vic', role: 'viewer', campaigns: ['Spring'], all_campaigns: false });
    const be = mockBackend({ listUsers: async () => [user(), vic] });
    render(UserAdmin);
    const u = userEvent.setup();
    await u.click(await screen.findByTestId('add-user'));
    expect(screen.getByTestId('user-all-campaigns')).not.toBeChecked();
    await u.type(screen.getByTestId('user-username'), 'wes');
    await u.type(screen.getByTestId('user-campaigns'), 'Autumn');
    await u.click(screen.getByTestId('user-all-campaigns'));
    expect(screen.getByTestId('user-campaigns')).toBeDisabled();
    await u.type(screen.getByTestId('user-password'), 'long-password');
    await u.click(screen.getByTestId('user-submit'));
    await waitFor(() => expect(be.createUser).toHaveBeenCalledOnce());
    expect(be.createUser.mock.calls[0][0]).toMatchObject({ campaigns: [], all_campaigns: true });

    const rows = await screen.findAllByTestId('user-row');
    await u.click(within(rows.find((r) => r.textContent?.includes('Vic'))!).getByTestId('edit-user'));
    expect(screen.getByTestId('user-all-campaigns')).not.toBeChecked();
    expect(screen.getByTestId('user-campaigns')).toHaveValue('Spring');
    // An Administrator sees every campaign: the list is not asked for.
    await u.selectOptions(screen.getByTestId('user-role'), 'administrator');
    expect(screen.queryByTestId('user-campaigns')).toBeNull();
    expect(screen.getByTestId('user-campaigns-admin')).toHaveTextContent('every campaign');
  });

  it('keeps a campaign whose name holds a comma as that one campaign, and reads one typed after the others', async () => {
    session.current = sessionFor('administrator');
    const sam = user({ id: 4, username: 'sam', display_name: 'Sam', role: 'editor', campaigns: ['Trade Fair, Berlin'], all_campaigns: false });
    const be = mockBackend({
      listUsers: async () => [user(), sam],
      leadFacets: async () => ({ campaigns: ['Expo, Paris', 'Spring'], tags: [] }),
    });
    render(UserAdmin);
    const u = userEvent.setup();
    const rows = await screen.findAllByTestId('user-row');
    await u.click(within(rows.find((r) => r.textContent?.includes('Sam'))!).getByTestId('edit-user'));
    await u.type(screen.getByTestId('user-display-name'), 'uel');
    await u.click(screen.getByTestId('user-submit'));
    await waitFor(() => expect(be.updateUser).toHaveBeenCalledOnce());
    expect(be.updateUser.mock.calls[0][2]).toMatchObject({ display_name: 'Samuel', campaigns: ['Trade Fair, Berlin'] });

    await waitFor(() => expect(screen.queryByTestId('user-submit')).toBeNull());
    const again = screen.getAllByTestId('user-row').find((r) => r.textContent?.includes('Sam'))!;
    await u.click(within(again).getByTestId('edit-user'));
    await u.type(screen.getByTestId('user-campaigns'), ', expo,paris, Spring');
    await u.click(screen.getByTestId('user-submit'));
    await waitFor(() => expect(be.updateUser).toHaveBeenCalledTimes(2));
    expect(be.updateUser.mock.calls[1][2].campaigns).toEqual(['Trade Fair, Berlin', 'Expo, Paris', 'Spring']);
  });

  it('keeps two campaigns as two when a campaign of both names joined exists, the box left as it was', async () => {
    session.current = sessionFor('administrator');
    const tom = user({ id: 5, username: 'tom', display_name: 'Tom', role: 'editor', campaigns: ['Trade Fair', 'Berlin'], all_campaigns: false });
    const be = mockBackend({
      listUsers: async () => [user(), tom],
      leadFacets: async () => ({ campaigns: ['Trade Fair, Berlin'], tags: [] }),
    });
    render(UserAdmin);
    const u = userEvent.setup();
    const rows = await screen.findAllByTestId('user-row');
    await u.click(within(rows.find((r) => r.textContent?.includes('Tom'))!).getByTestId('edit-user'));
    await waitFor(() => expect(be.leadFacets).toHaveBeenCalled());
    await u.selectOptions(screen.getByTestId('user-role'), 'administrator');
    await u.selectOptions(screen.getByTestId('user-role'), 'editor');
    await u.click(screen.getByTestId('user-submit'));
    await waitFor(() => expect(be.updateUser).toHaveBeenCalledOnce());
    expect(be.updateUser.mock.calls[0][2].campaigns).toEqual(['Trade Fair', 'Berlin']);
  });

  it('says what a user holds before they are deactivated or made a Viewer, and nothing when they hold nothing', async () => {
    session.current = sessionFor('administrator');
    const eve = user({ id: 2, username: 'eve', display_name: 'Eve', role: 'editor', all_campaigns: true });
    const zed = user({ id: 3, username: 'zed', display_name: 'Zed', role: 'editor', all_campaigns: true });
    const be = mockBackend({
      listUsers: async () => [user(), eve, zed],
      userHoldings: async (id) =>
        id === 2 ? { open_leads: 40, upcoming_appointments: 1 } : { open_leads: 0, upcoming_appointments: 0 },
    });
    render(UserAdmin);
    const u = userEvent.setup();
    const edit = async (name: string) => {
      const rows = await screen.findAllByTestId('user-row');
      await u.click(within(rows.find((r) => r.textContent?.includes(name))!).getByTestId('edit-user'));
    };
    await edit('Eve');
    expect(screen.queryByTestId('user-holdings')).toBeNull();
    expect(be.userHoldings).not.toHaveBeenCalled();
    await u.click(screen.getByTestId('user-active'));
    expect(await screen.findByTestId('user-holdings')).toHaveTextContent(
      'Eve holds 40 open leads and 1 meeting to come: once deactivated, nobody is reminded of them.',
    );
    // Active again: nothing to say.
    await u.click(screen.getByTestId('user-active'));
    expect(screen.queryByTestId('user-holdings')).toBeNull();
    await u.selectOptions(screen.getByTestId('user-role'), 'viewer');
    expect(await screen.findByTestId('user-holdings')).toHaveTextContent('once a Viewer');
    await u.click(screen.getByRole('button', { name: 'Cancel' }));
    await u.click(await screen.findByTestId('user-discard'));

    await edit('Zed');
    await u.click(screen.getByTestId('user-active'));
    await waitFor(() => expect(be.userHoldings).toHaveBeenCalledWith(3));
    expect(screen.queryByTestId('user-holdings')).toBeNull();
  });

  it('says what a user holds in the campaigns an edit takes from them, before the save', async () => {
    session.current = sessionFor('administrator');
    const sam = user({
      id: 2,
      username: 'sam',
      display_name: 'Sam',
      role: 'editor',
      campaigns: ['Spring', 'Autumn'],
      all_campaigns: false,
    });
    const be = mockBackend({
      listUsers: async () => [user(), sam],
      userHoldingsOutside: async (_id, campaigns) =>
        campaigns.some((c) => c.toLowerCase() === 'spring')
          ? { open_leads: 0, upcoming_appointments: 0 }
          : { open_leads: 12, upcoming_appointments: 1 },
    });
    render(UserAdmin);
    const u = userEvent.setup();
    const rows = await screen.findAllByTestId('user-row');
    await u.click(within(rows.find((r) => r.textContent?.includes('Sam'))!).getByTestId('edit-user'));
    await screen.findByTestId('user-campaigns');
    expect(be.userHoldingsOutside).not.toHaveBeenCalled();
    await u.clear(screen.getByTestId('user-campaigns'));
    await u.type(screen.getByTestId('user-campaigns'), 'Autumn');
    expect(await screen.findByTestId('user-holdings-narrowed')).toHaveTextContent(
      'Sam holds 12 open leads and 1 meeting to come in the campaigns this takes away: they would no longer see them',
    );
    // Asked once typing paused, for the list typed, not letter by letter.
    expect(be.userHoldingsOutside).toHaveBeenCalledTimes(1);
    expect(be.userHoldingsOutside).toHaveBeenLastCalledWith(2, ['Autumn'], false);
    // Every campaign: nothing taken.
    await u.click(screen.getByTestId('user-all-campaigns'));
    expect(screen.queryByTestId('user-holdings-narrowed')).toBeNull();
    await u.click(screen.getByTestId('user-all-campaigns'));
    expect(await screen.findByTestId('user-holdings-narrowed')).toBeInTheDocument();
    // Spring given back (typed in another case): nothing taken, nothing to say.
    await u.clear(screen.getByTestId('user-campaigns'));
    await u.type(screen.getByTestId('user-campaigns'), 'spring, Autumn');
    await waitFor(() => expect(screen.queryByTestId('user-holdings-narrowed')).toBeNull());
  });

  it('compares campaign names as the core does: beyond ASCII, another case is another campaign', async () => {
    session.current = sessionFor('administrator');
    const ida = user({ id: 2, username: 'ida', display_name: 'Ida', role: 'editor', campaigns: ['Ärzte'], all_campaigns: false });
    const be = mockBackend({
      listUsers: async () => [user(), ida],
      userHoldingsOutside: async () => ({ open_leads: 3, upcoming_appointments: 0 }),
    });
    render(UserAdmin);
    const u = userEvent.setup();
    const rows = await screen.findAllByTestId('user-row');
    await u.click(within(rows.find((r) => r.textContent?.includes('Ida'))!).getByTestId('edit-user'));
    await u.clear(await screen.findByTestId('user-campaigns'));
    await u.type(screen.getByTestId('user-campaigns'), 'ärzte');
    expect(await screen.findByTestId('user-holdings-narrowed')).toHaveTextContent('Ida holds 3 open leads');
    expect(be.userHoldingsOutside).toHaveBeenLastCalledWith(2, ['ärzte'], false);
  });

  it('asks nothing of a new user, and warns an Administrator made an Editor of some campaigns', async () => {
    session.current = sessionFor('administrator');
    const ada = user({ id: 2, username: 'ada2', display_name: 'Ada Two', role: 'administrator' });
    const be = mockBackend({
      listUsers: async () => [user(), ada],
      userHoldingsOutside: async () => ({ open_leads: 0, upcoming_appointments: 2 }),
    });
    render(UserAdmin);
    const u = userEvent.setup();
    await u.click(await screen.findByTestId('add-user'));
    await u.type(await screen.findByTestId('user-username'), 'newbie');
    await u.type(screen.getByTestId('user-campaigns'), 'Spring');
    await new Promise((r) => setTimeout(r, 400));
    expect(be.userHoldingsOutside).not.toHaveBeenCalled();
    await u.click(screen.getByRole('button', { name: 'Cancel' }));
    await u.click(await screen.findByTestId('user-discard'));
    const rows = await screen.findAllByTestId('user-row');
    await u.click(within(rows.find((r) => r.textContent?.includes('Ada Two'))!).getByTestId('edit-user'));
    await u.selectOptions(await screen.findByTestId('user-role'), 'editor');
    const all = screen.getByTestId('user-all-campaigns') as HTMLInputElement;
    if (all.checked) await u.click(all);
    await u.type(screen.getByTestId('user-campaigns'), 'Spring');
    expect(await screen.findByTestId('user-holdings-narrowed')).toHaveTextContent('2 meetings to come');
  });

  it('edits a role and updates the row', async () => {
    session.current = sessionFor('administrator');
    const eve = user({ id: 2, username: 'eve', display_name: 'Eve', role: 'editor' });
    const be = mockBackend({ listUsers: async () => [user(), eve] });
    render(UserAdmin);
    const u = userEvent.setup();
    const rows = await screen.findAllByTestId('user-row');
    await u.click(within(rows[1]).getByTestId('edit-user'));
    await u.selectOptions(screen.getByTestId('user-role'), 'administrator');
    await u.click(screen.getByTestId('user-submit'));
    // The account as the form was opened on goes with the save: changed since by someone else, it is refused.
    await waitFor(() =>
      expect(be.updateUser).toHaveBeenCalledWith(2, eve, expect.objectContaining({ role: 'administrator' }), false),
    );
    await waitFor(() => expect(screen.getAllByTestId('user-row')[1]).toHaveTextContent('Administrator'));
  });

  it('adds a user marked as a data steward in one save, and shows nothing added when that save is refused', async () => {
    session.current = sessionFor('administrator');
    let fail = true;
    const be = mockBackend({
      createUser: vi.fn(async (input, _password, steward) => {
        if (fail) throw apiErr({ code: 'internal', message: 'the database is busy' });
        return user({ ...input, id: 2, data_steward: steward });
      }),
    });
    const u = await addEveAsSteward();
    expect(await screen.findByTestId('user-form-error')).toHaveTextContent('the database is busy');
    expect(be.createUser).toHaveBeenCalledWith(expect.objectContaining({ username: 'eve' }), 'long-password', true);
    // Refused as a whole: nobody was added, and Cancel lists nobody new.
    await u.click(within(screen.getByTestId('user-dialog')).getByRole('button', { name: 'Cancel' }));
    await u.click(await screen.findByTestId('user-discard'));
    await waitFor(() => expect(screen.queryByTestId('user-dialog')).toBeNull());
    expect(screen.getAllByTestId('user-row').some((r) => r.textContent?.includes('eve'))).toBe(false);
    fail = false;
    await u.click(screen.getByTestId('add-user'));
    await u.type(screen.getByTestId('user-username'), 'eve');
    await u.type(screen.getByTestId('user-password'), 'long-password');
    await u.click(screen.getByTestId('user-steward'));
    await u.click(screen.getByTestId('user-submit'));
    await waitFor(() => expect(screen.queryByTestId('user-dialog')).toBeNull());
    expect(be.createUser).toHaveBeenCalledTimes(2);
    expect(be.updateUser).not.toHaveBeenCalled();
  });

  it('saves an Administrator making themselves an Editor and a data steward in one save', async () => {
    session.current = sessionFor('administrator', { id: 1 });
    const me = user({ id: 1, username: 'ada', role: 'administrator' });
    const be = mockBackend({
      listUsers: async () => [me, user({ id: 2, username: 'bo', role: 'administrator' })],
      updateUser: vi.fn(async (id, _seen, input, steward) => ({ ...me, ...input, id, data_steward: steward })),
    });
    render(UserAdmin);
    const u = userEvent.setup();
    await u.click(within((await screen.findAllByTestId('user-row'))[0]).getByTestId('edit-user'));
    await u.selectOptions(screen.getByTestId('user-role'), 'editor');
    await u.click(screen.getByTestId('user-steward'));
    await u.click(screen.getByTestId('user-submit'));
    await u.click(await screen.findByTestId('user-demote-confirm'));
    await waitFor(() => expect(screen.queryByTestId('user-dialog')).toBeNull());
    expect(be.updateUser).toHaveBeenCalledOnce();
    expect(be.updateUser).toHaveBeenCalledWith(1, me, expect.objectContaining({ role: 'editor' }), true);
  });

  it('stays open while it saves: Esc does not drop the save and its answer', async () => {
    session.current = sessionFor('administrator');
    let finish!: () => void;
    mockBackend({
      createUser: (input) =>
        new Promise((resolve) => {
          finish = () => resolve(user({ id: 9, username: input.username }));
        }),
    });
    render(UserAdmin);
    const u = userEvent.setup();
    await u.click(await screen.findByTestId('add-user'));
    await u.type(screen.getByTestId('user-username'), 'zoe');
    await u.type(screen.getByTestId('user-password'), 'long-password');
    await u.click(screen.getByTestId('user-submit'));
    // Escape reaches the dialog wherever the focus is (the pressed button is busy now).
    fireEvent.keyDown(screen.getByTestId('user-dialog'), { key: 'Escape' });
    expect(screen.getByTestId('user-dialog')).toBeInTheDocument();
    finish();
    await waitFor(() => expect(screen.queryByTestId('user-dialog')).toBeNull());
    expect(screen.getAllByTestId('user-row').some((r) => r.textContent?.includes('zoe'))).toBe(true);
  });

  it("names the user in each row's buttons, which narrow windows show as icons with their tooltips", async () => {
    session.current = sessionFor('administrator');
    mockBackend({ listUsers: async () => [user(), user({ id: 2, username: 'eve', display_name: 'Eve Evans', role: 'editor' })] });
    render(UserAdmin);
    const rows = await screen.findAllByTestId('user-row');
    expect(within(rows[1]).getByTestId('edit-user')).toHaveAccessibleName('Edit Eve Evans');
    expect(screen.getByRole('button', { name: 'Edit Eve Evans' })).toBeInTheDocument();
    const reset = within(rows[1]).getByTestId('reset-password-btn');
    expect(reset).toHaveAccessibleName('Reset the password of Eve Evans');
    expect(reset).toHaveAttribute('title', 'Reset the password of Eve Evans');
    expect(within(rows[1]).getByTestId('edit-user')).toHaveAttribute('title', 'Edit Eve Evans');
  });

  it('asks before Escape, the backdrop or Cancel throws away what was typed, and closes at once when nothing was', async () => {
    session.current = sessionFor('administrator');
    mockBackend({ listUsers: async () => [user(), user({ id: 2, username: 'eve', role: 'editor' })] });
    render(UserAdmin);
    const u = userEvent.setup();
    await u.click(within((await screen.findAllByTestId('user-row'))[1]).getByTestId('edit-user'));
    await u.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByTestId('user-dialog')).toBeNull());

    await u.click(await screen.findByTestId('add-user'));
    await u.type(screen.getByTestId('user-username'), 'zoe');
    await u.keyboard('{Escape}');
    expect(await screen.findByTestId('user-discard-question')).toHaveTextContent('Discard what you typed?');
    expect(screen.getByTestId('user-keep')).toHaveFocus();
    await u.click(screen.getByTestId('user-keep'));
    expect(screen.queryByTestId('user-discard-question')).toBeNull();
    expect(screen.getByTestId('user-username')).toHaveValue('zoe');

    await u.click(within(screen.getByTestId('user-dialog')).getByRole('button', { name: 'Cancel' }));
    await u.click(await screen.findByTestId('user-discard'));
    await waitFor(() => expect(screen.queryByTestId('user-dialog')).toBeNull());
    expect(screen.getAllByTestId('user-row')).toHaveLength(2);
  });

  it("asks before an Administrator lowers their own role, and saves once they confirm", async () => {
    session.current = sessionFor('administrator', { id: 1 });
    const be = mockBackend({
      listUsers: async () => [user({ id: 1, username: 'ada', role: 'administrator' }), user({ id: 2, username: 'bo', role: 'administrator' })],
      updateUser: vi.fn(async (id, _seen, input) => user({ id, username: input.username, role: input.role })),
    });
    render(UserAdmin);
    const u = userEvent.setup();
    await u.click(within((await screen.findAllByTestId('user-row'))[0]).getByTestId('edit-user'));
    await u.selectOptions(screen.getByTestId('user-role'), 'editor');
    await u.click(screen.getByTestId('user-submit'));
    expect(await screen.findByTestId('user-demote-question')).toHaveTextContent('no longer manage users or settings');
    expect(be.updateUser).not.toHaveBeenCalled();
    await u.click(screen.getByTestId('user-demote-keep'));
    expect(screen.queryByTestId('user-demote-question')).toBeNull();
    await u.click(screen.getByTestId('user-submit'));
    await u.click(await screen.findByTestId('user-demote-confirm'));
    await waitFor(() => expect(be.updateUser).toHaveBeenCalledOnce());
    expect(be.updateUser.mock.calls[0][2]).toMatchObject({ role: 'editor' });
  });

  it('asks the same before the sidebar, sign-out or closing the window throws away what was typed', async () => {
    session.current = sessionFor('administrator');
    mockBackend({ listUsers: async () => [user(), user({ id: 2, username: 'eve', role: 'editor' })] });
    nav.go({ name: 'users' });
    render(UserAdmin);
    const u = userEvent.setup();
    await u.click(await screen.findByTestId('add-user'));
    expect(nav.unsaved).toBe(false);
    await u.type(screen.getByTestId('user-username'), 'zoe');
    // The window's close is held while this is so.
    expect(nav.unsaved).toBe(true);
    nav.go({ name: 'leads' });
    expect(await screen.findByTestId('user-discard-question')).toHaveTextContent('Discard what you typed?');
    expect(nav.view.name).toBe('users');
    await u.click(screen.getByTestId('user-keep'));
    expect(screen.getByTestId('user-username')).toHaveValue('zoe');
    nav.go({ name: 'leads' });
    await u.click(await screen.findByTestId('user-discard'));
    await waitFor(() => expect(nav.view.name).toBe('leads'));
  });

  it('reads the user again after a conflict: the dialog says so and saves on their version, and a new Edit starts from it', async () => {
    session.current = sessionFor('administrator');
    const { be, eve } = conflictingEve();
    render(UserAdmin);
    const u = userEvent.setup();
    await u.click(within((await screen.findAllByTestId('user-row'))[1]).getByTestId('edit-user'));
    // Someone else renames her meanwhile.
    eve.current = { ...eve.current, display_name: 'Eve Evans' };
    await u.selectOptions(screen.getByTestId('user-role'), 'viewer');
    await u.click(screen.getByTestId('user-submit'));

    expect(await screen.findByTestId('user-reloaded')).toHaveTextContent(
      'Someone else saved this user while you were editing; nothing of yours was saved. Their version is loaded now, with your changes on it',
    );
    expect(screen.getByTestId('user-display-name')).toHaveValue('Eve Evans');
    expect(screen.getByTestId('user-role')).toHaveValue('viewer');
    // The list shows their version too.
    expect(screen.getAllByTestId('user-row')[1]).toHaveTextContent('Eve Evans');

    // Dropped here, a new Edit starts from their version and saves.
    await u.click(within(screen.getByTestId('user-dialog')).getByRole('button', { name: 'Cancel' }));
    await u.click(await screen.findByTestId('user-discard'));
    await waitFor(() => expect(screen.queryByTestId('user-dialog')).toBeNull());
    await u.click(within(screen.getAllByTestId('user-row')[1]).getByTestId('edit-user'));
    expect(screen.getByTestId('user-display-name')).toHaveValue('Eve Evans');
    await u.selectOptions(screen.getByTestId('user-role'), 'viewer');
    await u.click(screen.getByTestId('user-submit'));
    await waitFor(() => expect(screen.queryByTestId('user-dialog')).toBeNull());
    expect(be.updateUser).toHaveBeenCalledTimes(2);
    expect(screen.getAllByTestId('user-row')[1]).toHaveTextContent('Viewer');
  });

  it('saves again from the dialog after a conflict, on the version it read again', async () => {
    session.current = sessionFor('administrator');
    const { be, eve } = conflictingEve();
    render(UserAdmin);
    const u = userEvent.setup();
    await u.click(within((await screen.findAllByTestId('user-row'))[1]).getByTestId('edit-user'));
    eve.current = { ...eve.current, display_name: 'Eve Evans' };
    await u.selectOptions(screen.getByTestId('user-role'), 'viewer');
    await u.click(screen.getByTestId('user-submit'));
    await screen.findByTestId('user-reloaded');
    await u.click(screen.getByTestId('user-submit'));
    await waitFor(() => expect(screen.queryByTestId('user-dialog')).toBeNull());
    expect(be.updateUser).toHaveBeenCalledTimes(2);
    expect(be.updateUser.mock.calls[1][2]).toMatchObject({ display_name: 'Eve Evans', role: 'viewer' });
    expect(screen.getAllByTestId('user-row')[1]).toHaveTextContent('Eve Evans');
    expect(screen.getAllByTestId('user-row')[1]).toHaveTextContent('Viewer');
  });

  it('saves the data-steward mark with the rest of the form', async () => {
    session.current = sessionFor('administrator');
    const eve = user({ id: 2, username: 'eve', display_name: 'Eve', role: 'editor' });
    const be = mockBackend({ listUsers: async () => [user(), eve] });
    render(UserAdmin);
    const u = userEvent.setup();
    const rows = await screen.findAllByTestId('user-row');
    await u.click(within(rows[1]).getByTestId('edit-user'));
    expect(screen.getByTestId('user-steward')).not.toBeChecked();
    await u.click(screen.getByTestId('user-submit'));
    await waitFor(() => expect(be.updateUser).toHaveBeenCalledTimes(1));
    expect(be.updateUser).toHaveBeenLastCalledWith(2, eve, expect.objectContaining({ username: 'eve' }), false);
    await u.click(within((await screen.findAllByTestId('user-row'))[1]).getByTestId('edit-user'));
    await u.click(screen.getByTestId('user-steward'));
    await u.click(screen.getByTestId('user-submit'));
    await waitFor(() => expect(be.updateUser).toHaveBeenCalledTimes(2));
    expect(be.updateUser).toHaveBeenLastCalledWith(2, expect.objectContaining({ id: 2 }), expect.anything(), true);
  });
});
