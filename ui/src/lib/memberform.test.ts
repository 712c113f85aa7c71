import { describe, expect, it } from 'vitest';
import type { MemberView } from './bindings';
import { formFromMember, formFromQuery } from './memberform';

describe('formFromQuery', () => {
  it('puts a phone number typed in the search box into the phone field', () => {
    expect(formFromQuery('081-234-5678').phone).toBe('081-234-5678');
    expect(formFromQuery('๐๘๑๒๓๔๕๖๗๘').phone).toBe('0812345678');
  });

  it('puts a name into first and last name', () => {
    const f = formFromQuery('สมชาย ใจดี');
    expect([f.first_name, f.last_name, f.phone]).toEqual(['สมชาย', 'ใจดี', '']);
  });

  it('drops digits that are not a whole phone number (a last-4 search)', () => {
    const f = formFromQuery('5678');
    expect([f.phone, f.first_name]).toEqual(['', '']);
  });
});

describe('formFromMember', () => {
  const m = {
    phone: '0812345678',
    profile: { first_name: 'Somsri', birthday: '1987-08-15', gender: 'unspecified', tags: ['vip', 'coffee'] },
  } as unknown as MemberView;

  it('fills the edit form, leaving absent fields empty', () => {
    const f = formFromMember(m, 'th');
    expect(f).toMatchObject({
      phone: '0812345678',
      first_name: 'Somsri',
      last_name: '',
      birthday: '15/08/2530',
      gender: '',
      email: '',
      tags: 'vip, coffee',
      marketing_consent: false,
    });
    expect(formFromMember(m, 'en').birthday).toBe('15/08/1987');
  });
});
