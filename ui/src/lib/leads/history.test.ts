import { describe, expect, it } from 'vitest';
import { change } from '../../test/fixtures';
import { LEAD_FIELDS } from '../bindings';
import { describeInvalid, EMPTY_VALUE, formatValue, invalidReason, toEvents, type ValueContext } from './history';

const ctx: ValueContext = {
  stages: [{ key: 'new', label: 'New', closed: false }],
  owners: [{ id: 3, name: 'Bob Owner' }],
};

const REASON = 'needs exactly one @ between a name and a domain, e.g. jane@example.com';
/** As the core writes it: the reason starts with the value, quoted. */
const bea = { field: 'emails', value: 'bea@', reason: `"bea@" ${REASON}` };
const phone = { field: 'phones', value: '12', reason: '"12" is not a phone number' };

/** What the core logs for a creation: every non-empty field as a string, keys in alphabetical order (serde). */
function snapshot(fields: Record<string, string>): string {
  const sorted = Object.fromEntries(Object.entries(fields).sort(([a], [b]) => a.localeCompare(b)));
  return JSON.stringify(sorted);
}

describe('the values kept as invalid', () => {
  it('drop the quoted copy of the value the reason starts with', () => {
    expect(invalidReason(bea)).toBe(REASON);
    expect(invalidReason({ ...bea, reason: `“bea@”: ${REASON}` })).toBe(REASON);
    // A reason that does not repeat the value, or quotes another one, is kept whole.
    expect(invalidReason({ ...bea, reason: 'no domain' })).toBe('no domain');
    expect(invalidReason({ ...bea, reason: '"other@" is taken' })).toBe('"other@" is taken');
  });

  it('read as text: value, kind and reason', () => {
    expect(describeInvalid(bea)).toBe(`bea@ (email) — ${REASON}`);
    expect(describeInvalid(phone)).toBe('12 (phone) — is not a phone number');
  });
});

describe('formatValue', () => {
  it('shows typed phones as typed, without the escapes the log keeps them with', () => {
    expect(formatValue('phones_as_entered', 'tel:+1-201-555-0123\\;ext=1234; 020 7946 0018', ctx)).toBe(
      'tel:+1-201-555-0123;ext=1234; 020 7946 0018',
    );
  });

  it('shows the deal as the Deal panel does: a lost reason by its label, an amount grouped, a day in words', () => {
    const withReasons = { ...ctx, lostReasons: [{ key: 'no_budget', label: 'No budget' }] } as ValueContext;
    expect(formatValue('lost_reason', 'no_budget', withReasons)).toBe('No budget');
    expect(formatValue('lost_reason', 'gone_quiet', withReasons)).toBe('gone_quiet');
    expect(formatValue('deal_value', '12500.00', ctx)).not.toBe('12500.00');
    expect(formatValue('deal_value', '12500.00', ctx).replace(/\D/g, '')).toBe('12500');
    expect(formatValue('expected_close', '2026-12-31', ctx)).toContain('2026');
    expect(formatValue('expected_close', '2026-12-31', ctx)).not.toBe('2026-12-31');
  });

  it('shows the logged JSON of the values kept as invalid as text, never raw', () => {
    const shown = formatValue('invalid', JSON.stringify([bea, phone]), ctx);
    expect(shown).toBe(`bea@ (email) — ${REASON}; 12 (phone) — is not a phone number`);
    expect(shown).not.toMatch(/[[{"]/);
    expect(formatValue('invalid', '[]', ctx)).toBe(EMPTY_VALUE);
    // Something that is not the expected JSON is shown as it is rather than lost.
    expect(formatValue('invalid', 'not json', ctx)).toBe('not json');
  });

  it('shows an empty value as a dash', () => {
    expect(EMPTY_VALUE).toBe('—');
    expect(formatValue('company', '', ctx)).toBe('—');
    expect(formatValue('company', null, ctx)).toBe('—');
  });

  it('names owners under both the current and the old field name, and labels statuses', () => {
    expect(formatValue('owner', '3', ctx)).toBe('Bob Owner');
    expect(formatValue('owner_id', '3', ctx)).toBe('Bob Owner');
    expect(formatValue('status', 'draft', ctx)).toBe('Draft');
    expect(formatValue('status', 'active', ctx)).toBe('Active');
  });
});

describe('toEvents', () => {
  const created = change({
    id: 1,
    batch_id: 1,
    field: '*',
    old_value: null,
    new_value: snapshot({
      first_name: 'Bea',
      last_name: 'Lovelace',
      company: 'Acme',
      emails: 'ada@example.com',
      phones: '+442079460018',
      phones_as_entered: '020 7946 0018',
      invalid: JSON.stringify([bea]),
      source: 'bulk_import',
      owner: '3',
      stage: 'new',
      status: 'draft',
    }),
  });

  it('lists a creation in the order of the core field table, not the alphabetical order of the log', () => {
    const [ev] = toEvents([created], ctx);
    const fields = ev.created!.map((c) => c.field);
    const tableOrder = LEAD_FIELDS.map((f) => f.name as string).filter((n) => fields.includes(n));
    expect(fields).toEqual(tableOrder);
    expect(ev.created!.map((c) => c.label)).toEqual([
      'First name',
      'Last name',
      'Company',
      'Emails',
      'Phones',
      'Source',
      'Owner',
      'Stage',
      'Needs fixing',
      'Status',
      'Phones (as entered)',
    ]);
    const value = (f: string) => ev.created!.find((c) => c.field === f)?.value;
    expect(value('invalid')).toBe(`bea@ (email) — ${REASON}`);
    expect(value('owner')).toBe('Bob Owner');
    expect(value('stage')).toBe('New');
    expect(value('status')).toBe('Draft');
    expect(value('source')).toBe('Bulk import');
    expect(value('phones_as_entered')).toBe('020 7946 0018');
  });

  it('leaves out the phones as typed where they were typed as the number reads, and keeps them otherwise', () => {
    const edit = (batch: number, typedOld: string, typedNew: string) => [
      change({ id: batch * 10, batch_id: batch, field: 'phones', old_value: '+44 20 7946 0018', new_value: '+1 415-555-2671; +44 20 7946 0018' }),
      change({ id: batch * 10 + 1, batch_id: batch, field: 'phones_as_entered', old_value: typedOld, new_value: typedNew }),
    ];
    const [same] = toEvents(edit(2, '+442079460018', '+14155552671; +442079460018'), ctx);
    expect(same.changes.map((c) => c.field)).toEqual(['phones']);
    const [typedOtherwise] = toEvents(edit(3, '020 7946 0018', '415 555 2671; 020 7946 0018'), ctx);
    expect(typedOtherwise.changes.map((c) => c.field)).toEqual(['phones', 'phones_as_entered']);
    const creation = (typed: string) =>
      change({ id: 40, batch_id: 4, field: '*', old_value: null, new_value: snapshot({ first_name: 'Bea', phones: '+44 20 7946 0018', phones_as_entered: typed }) });
    expect(toEvents([creation('+44 (0)20 7946 0018')], ctx)[0].created!.map((c) => c.field)).toEqual([
      'first_name',
      'phones',
      'phones_as_entered',
    ]);
    expect(toEvents([creation('+442079460018')], ctx)[0].created!.map((c) => c.field)).toEqual(['first_name', 'phones']);
  });

  it('shows an email respelled alone, and leaves out the addresses as typed beside the same addresses', () => {
    const [respelled] = toEvents(
      [change({ id: 50, batch_id: 5, field: 'emails_as_entered', old_value: 'Jane@Example.COM', new_value: 'Jane@example.com' })],
      ctx,
    );
    expect(respelled.changes.map((c) => [c.field, c.old, c.new])).toEqual([
      ['emails_as_entered', 'Jane@Example.COM', 'Jane@example.com'],
    ]);
    const [added] = toEvents(
      [
        change({ id: 60, batch_id: 6, field: 'emails', old_value: 'jane@example.com', new_value: 'jane@example.com; jd@acme.io' }),
        change({ id: 61, batch_id: 6, field: 'emails_as_entered', old_value: 'jane@example.com', new_value: 'jane@example.com; jd@acme.io' }),
      ],
      ctx,
    );
    expect(added.changes.map((c) => c.field)).toEqual(['emails']);
    const creation = change({ id: 70, batch_id: 7, field: '*', old_value: null, new_value: snapshot({ first_name: 'Bea', emails: 'bea@x.io', emails_as_entered: 'Bea@X.io' }) });
    expect(toEvents([creation], ctx)[0].created!.map((c) => c.field)).toEqual(['first_name', 'emails']);
  });

  it('places fields the table does not know (older logs) after the known ones, old owner_id as Owner', () => {
    const old = change({
      field: '*',
      old_value: null,
      new_value: snapshot({ zz_legacy: 'x', owner_id: '3', first_name: 'Ada' }),
    });
    const [ev] = toEvents([old], ctx);
    expect(ev.created!.map((c) => [c.label, c.value])).toEqual([
      ['First name', 'Ada'],
      ['Owner', 'Bob Owner'],
      ['Zz legacy', 'x'],
    ]);
  });

  it('shows a change of the values kept as invalid as text on both sides', () => {
    const fixed = change({
      id: 5,
      batch_id: 2,
      field: 'invalid',
      old_value: JSON.stringify([bea, phone]),
      new_value: JSON.stringify([phone]),
    });
    const cleared = change({ id: 6, batch_id: 3, field: 'invalid', old_value: JSON.stringify([phone]), new_value: '' });
    const [a, b] = toEvents([fixed, cleared], ctx);
    expect(a.changes[0]).toMatchObject({
      label: 'Needs fixing',
      old: `bea@ (email) — ${REASON}; 12 (phone) — is not a phone number`,
      new: '12 (phone) — is not a phone number',
    });
    expect(b.changes[0]).toMatchObject({ old: '12 (phone) — is not a phone number', new: '—' });
  });

  it("marks the events of a merged lead, which the survivor's history now holds", () => {
    const own = change({ id: 3, batch_id: 30, entity_id: 1, field: 'company', old_value: '', new_value: 'Acme' });
    const merged = change({ id: 2, batch_id: 20, entity_id: 7, field: 'notes', old_value: '', new_value: 'called' });
    const [a, b] = toEvents([own, merged], ctx, 1);
    expect(a.fromLead).toBeNull();
    expect(b.fromLead).toBe(7);
  });

  it('keeps apart the leads one batch wrote: an import chunk that created both, a merge of one into the other', () => {
    // Newest first, as the core answers: the merge (batch 40) wrote the survivor's field and the merged lead's
    // removal; the import (batch 10) created both.
    const rows = [
      change({ id: 9, batch_id: 40, entity_id: 11, field: 'merged_into', old_value: null, new_value: '10' }),
      change({ id: 8, batch_id: 40, entity_id: 10, field: 'job_title', old_value: '', new_value: 'CTO' }),
      change({ id: 2, batch_id: 10, entity_id: 11, field: '*', old_value: null, new_value: snapshot({ emails: 'ann.lee@x.com' }) }),
      change({ id: 1, batch_id: 10, entity_id: 10, field: '*', old_value: null, new_value: snapshot({ emails: 'ann@x.com' }) }),
    ];
    const events = toEvents(rows, ctx, 10);
    expect(events.map((e) => [e.batchId, e.fromLead])).toEqual([
      [40, 11],
      [40, null],
      [10, 11],
      [10, null],
    ]);
    const [, ownMerge, mergedCreated, ownCreated] = events;
    expect(ownMerge.changes.map((c) => c.field)).toEqual(['job_title']);
    expect(mergedCreated.created!.map((c) => c.value)).toEqual(['ann.lee@x.com']);
    expect(ownCreated.created!.map((c) => c.value)).toEqual(['ann@x.com']);
  });
});

describe('bookings and merges as people read them', () => {
  it('says whom a booking invites in its summary, not as links to this very lead from nothing', () => {
    const booking = (field: string, new_value: string, id: number) =>
      change({ id, batch_id: 50, entity: 'appointment', entity_id: 4, field, old_value: null, new_value });
    const rows = [
      booking('attendee:oliver@keystone.example', '7', 3),
      booking('invitees', 'oliver@keystone.example', 2),
      booking('*', JSON.stringify({ title: 'Discovery call', start: '2025-01-07T10:00:00Z' }), 1),
    ];
    const [ev] = toEvents(rows, { ...ctx, zone: 'UTC' }, 7);
    expect(ev.booked).toMatch(/^Discovery call, .*; invited: oliver@keystone\.example$/);
    expect(ev.changes).toEqual([]);
    // A later change of the invitees is a change, and says so.
    const later = toEvents(
      [change({ id: 9, batch_id: 51, entity: 'appointment', entity_id: 4, field: 'invitees', old_value: 'a@x.io', new_value: 'b@x.io' })],
      ctx,
      7,
    );
    expect(later[0].changes.map((c) => [c.label, c.old, c.new])).toEqual([['Appointment invitees', 'a@x.io', 'b@x.io']]);
  });

  it('names the leads of a merge by number, this one as "this lead"', () => {
    const rows = [
      change({ id: 9, batch_id: 40, entity_id: 11, field: 'merged_into', old_value: null, new_value: '10', reason: 'merge', source_ref: 'merge of lead 11 into lead 10' }),
    ];
    const [ev] = toEvents(rows, ctx, 10);
    expect(ev.sourceRef).toBe('merge of lead #11 into this lead');
    expect(ev.changes[0].new).toBe('lead #10');
    const imported = toEvents([change({ source_ref: 'import of lead 12.csv' })], ctx, 12);
    expect(imported[0].sourceRef).toBe('import of lead 12.csv');
  });
});

describe('who made a change', () => {
  it('names a user as the rest of the app does, by the display name the directory holds', () => {
    const [ev] = toEvents([change({ actor_id: 3, actor_name: 'bob' })], ctx);
    expect(ev.actor).toBe('Bob Owner');
    // Not in the directory (an import's system user): as the log names them.
    expect(toEvents([change({ actor_id: 99, actor_name: 'system' })], ctx)[0].actor).toBe('system');
  });

  it('names a renamed user as they were, and as they are now', () => {
    const [renamed] = toEvents([change({ actor_name: 'ann', actor_renamed_to: 'ann.old' })], ctx);
    expect(renamed.actor).toBe('ann (now ann.old)');
    const [same] = toEvents([change({ actor_name: 'ann' })], ctx);
    expect(same.actor).toBe('ann');
  });
});
