// Filling the member form: empty, from what was typed in the search box, or from a member.

import type { MemberForm, MemberView } from './bindings';
import { dateToFormText } from './format';
import type { Lang } from './i18n';
import { precheckPhone, thaiDigitsToLatin } from './parse';

/** An empty form. */
export function emptyMemberForm(): MemberForm {
  return {
    phone: '',
    first_name: '',
    last_name: '',
    birthday: '',
    gender: '',
    email: '',
    address: '',
    tags: '',
    note: '',
    marketing_consent: false,
    pdpa_consent: false,
  };
}

/**
 * A new member's form started from the search that found nobody: a phone number goes to the
 * phone, a name to first and last name; digits that are not a whole phone number are dropped.
 */
export function formFromQuery(query: string): MemberForm {
  const form = emptyMemberForm();
  const q = query.trim();
  if (q === '') return form;
  if (precheckPhone(q) === null) {
    form.phone = thaiDigitsToLatin(q);
  } else if (!/[\d๐-๙]/.test(q)) {
    const [first, ...rest] = q.split(/\s+/);
    form.first_name = first;
    form.last_name = rest.join(' ');
  }
  return form;
}

/** A member's current details as the edit form (birthday in the language's era). */
export function formFromMember(m: MemberView, lang: Lang): MemberForm {
  const p = m.profile;
  return {
    phone: m.phone,
    first_name: p.first_name,
    last_name: p.last_name ?? '',
    birthday: dateToFormText(p.birthday ?? null, lang),
    gender: p.gender && p.gender !== 'unspecified' ? p.gender : '',
    email: p.email ?? '',
    address: p.address ?? '',
    tags: (p.tags ?? []).join(', '),
    note: p.note ?? '',
    marketing_consent: p.marketing_consent ?? false,
    pdpa_consent: p.pdpa_consent ?? false,
  };
}

/** The register / edit form's fields, as Rust's errors name them. */
export const MEMBER_FIELDS = [
  'phone',
  'first_name',
  'last_name',
  'birthday',
  'gender',
  'email',
  'address',
  'tags',
  'note',
] as const;

/** One of the member form's fields. */
export type MemberField = (typeof MEMBER_FIELDS)[number];

/** Focuses a member form's field (`prefix` is `reg` or `edit`) once the error is shown. */
export function focusMemberField(root: HTMLElement | undefined, prefix: string, field: MemberField): void {
  const testid = `${prefix}-${field.replace('_', '-')}`;
  setTimeout(() => (root?.querySelector(`[data-testid="${testid}"]`) as HTMLElement | null)?.focus());
}
