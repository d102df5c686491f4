import { describe, expect, it } from 'vitest';
import { lead } from '../../test/fixtures';
import { LEAD_FIELDS } from '../bindings';
import { fieldLabel } from '../format';
import { readPath, TEXT_FIELDS, writePath } from './fields';
import { draftFromLead, emptyDraft, missingFor, rebaseDraft, rebaseList, savedMessage, shiftRowErrors, toInput } from './leadForm';

describe('lead form model', () => {
  it('round-trips a lead through the draft to the input the backend expects', () => {
    const kept = { field: 'emails', value: 'bob@', reason: 'no domain' };
    const l = lead({ owner: { id: 3, name: 'Owen' }, tags: ['a', 'b'], invalid: [kept] });
    const input = toInput(draftFromLead(l));
    expect(input).toEqual({
      first_name: 'Grace',
      last_name: 'Hopper',
      company: 'Navy',
      job_title: 'Rear Admiral',
      emails: ['grace@NAVY.mil'], // as typed, as phones are
      phones: ['020 7946 0018'],
      address: { street: '', street2: '', city: 'Arlington', postcode: '', region: '', country: 'US' },
      source: 'direct_entry',
      source_detail: '',
      campaign: '',
      owner_id: 3,
      stage: 'new',
      deal: {
        value: '',
        currency: '',
        expected_close: '',
        budget: '',
        decision_maker: '',
        need: '',
        timeline: '',
        lost_reason: '',
      },
      tags: ['a', 'b'],
      notes: '',
      external_ref: '',
      // Values kept as invalid go back as they came: an edit must not drop them unseen.
      invalid: [kept],
    });
  });

  it('defaults a new lead to Direct entry and finds what is missing', () => {
    const d = emptyDraft();
    expect(d.source).toBe('direct_entry');
    expect(missingFor(d)).toEqual(['name', 'contact_point']);
    d.last_name = 'Lovelace';
    d.phones = ['+44 20 7946 0018'];
    expect(missingFor(d)).toEqual([]);
    d.source = '';
    expect(missingFor(d)).toEqual(['source']);
    d.invalid = [{ field: 'phones', value: '12', reason: 'too short' }];
    expect(missingFor(d)).toEqual(['source', 'fix_invalid']);
  });

  it('does not count an implausible email as a contact point', () => {
    const d = { ...emptyDraft(), first_name: 'A', emails: ['nope'] };
    expect(missingFor(d)).toEqual(['contact_point']);
  });

  it('renumbers row errors when a row is removed', () => {
    expect(shiftRowErrors({ 'emails.0': 'a', 'emails.2': 'c', 'phones.1': 'p', company: 'x' }, 'emails', 1)).toEqual({
      'emails.0': 'a',
      'emails.1': 'c',
      'phones.1': 'p',
      company: 'x',
    });
  });

  it('words the save message after the saved status', () => {
    // Named, since the toast may outlast the page it was shown on.
    expect(savedMessage(lead())).toBe('Grace Hopper saved');
    expect(
      savedMessage(lead({ first_name: '', last_name: '', company: '', status: 'draft', missing: ['name', 'contact_point'] })),
    ).toBe('(unnamed lead) saved as Draft — missing: a first or last name and a valid email or phone number');
  });

  it('round-trips every text field of the core table, each through its own path', () => {
    expect(TEXT_FIELDS.map((f) => f.name)).toContain('street');
    const l = lead();
    for (const f of TEXT_FIELDS) writePath(l as unknown as Record<string, unknown>, f.path, `value of ${f.name}`);
    const draft = draftFromLead(l);
    const input = toInput(draft);
    for (const f of TEXT_FIELDS) {
      expect(draft[f.name], f.name).toBe(`value of ${f.name}`);
      expect(readPath(input, f.path), f.name).toBe(`value of ${f.name}`);
    }
    // A new lead starts with every text field empty.
    const empty = emptyDraft();
    for (const f of TEXT_FIELDS) expect(empty[f.name], f.name).toBe('');
  });

  it('names every lead field as the core table labels it, and old `owner_id` history rows as Owner', () => {
    for (const f of LEAD_FIELDS) expect(fieldLabel(f.name)).toBe(f.label);
    expect(fieldLabel('owner_id')).toBe('Owner');
    expect(fieldLabel('username')).toBe('Username');
    expect(fieldLabel('emails.1')).toBe('Email 2');
  });
});

describe('a form laid over the lead saved meanwhile', () => {
  const lower = (x: string) => x.toLowerCase();

  it('keeps what was added there and what was added or removed here', () => {
    expect(rebaseList(['a@x.com'], ['a@x.com', 'b@x.com'], ['a@x.com', 'c@x.com'], lower)).toEqual([
      'a@x.com',
      'c@x.com',
      'b@x.com',
    ]);
    // Removed here, kept out; the same address typed in another case is one.
    expect(rebaseList(['a@x.com', 'd@x.com'], ['a@x.com'], ['A@x.com', 'd@x.com', 'c@x.com'], lower)).toEqual([
      'A@x.com',
      'c@x.com',
    ]);
    expect(rebaseList([''], [''], ['e@x.com'], lower)).toEqual(['e@x.com']);
  });

  it("merges lists and tags, keeps the form's own changes, and names the fields both sides changed", () => {
    const base = draftFromLead(lead({ emails: [], tags: ['fair'] }));
    base.emails = ['a@x.com'];
    base.phones = [''];
    const mine = { ...base, emails: ['a@x.com', 'b@x.com'], job_title: 'CTO', notes: 'mine', tags: 'fair, vip' };
    const theirs = { ...base, emails: ['a@x.com', 'c@x.com'], phones: ['+44 20 7946 0018'], notes: 'theirs', company: 'Acme' };
    const { draft, kept, both } = rebaseDraft(base, mine, theirs, ['fair']);
    expect(draft.emails).toEqual(['a@x.com', 'c@x.com', 'b@x.com']);
    expect(draft.phones).toEqual(['+44 20 7946 0018']);
    expect(draft.tags).toBe('fair, vip');
    expect([draft.job_title, draft.company, draft.notes]).toEqual(['CTO', 'Acme', 'mine']);
    expect(kept.sort()).toEqual(['emails', 'job_title', 'notes', 'tags']);
    expect(both).toEqual(['notes']);
  });

  it('keeps a value an import kept as invalid meanwhile, and the one fixed here stays fixed', () => {
    const x = { field: 'phones', value: '12', reason: 'too short' };
    const y = { field: 'emails', value: 'bob@', reason: 'no domain' };
    const z = { field: 'phones', value: '999', reason: 'too short' };
    const base = { ...emptyDraft(), invalid: [x, y] };
    const { draft } = rebaseDraft(base, { ...base, invalid: [x] }, { ...base, invalid: [x, y, z] }, []);
    expect(draft.invalid).toEqual([x, z]);
  });
});
