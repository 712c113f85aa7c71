import { describe, expect, it } from 'vitest';
import { LANGS, labelFor, messages, translate } from './i18n';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('i18n dictionary', () => {
  it('has every key in both languages, and no key in one only', () => {
    const th = Object.keys(messages.th).sort();
    const en = Object.keys(messages.en).sort();
    expect(th.filter((k) => !en.includes(k))).toEqual([]);
    expect(en.filter((k) => !th.includes(k))).toEqual([]);
    expect(th.length).toBeGreaterThan(100);
  });

  it('has no empty text', () => {
    for (const lang of LANGS) {
      for (const [key, text] of Object.entries(messages[lang])) {
        expect(text.trim(), `${lang} ${key}`).not.toBe('');
      }
    }
  });

  it('uses the same placeholders in both languages', () => {
    for (const key of Object.keys(messages.th) as (keyof typeof messages.th)[]) {
      expect(placeholders(messages.en[key]), key).toEqual(placeholders(messages.th[key]));
    }
  });

  it('fills placeholders and keeps unknown ones visible', () => {
    expect(translate('en', 'member.to_next', { points: '1,200', tier: 'Gold' })).toBe(
      '1,200 points to Gold',
    );
    expect(translate('th', 'member.to_next', { points: '1,200', tier: 'Gold' })).toBe(
      'อีก 1,200 แต้ม ถึง Gold',
    );
    expect(translate('en', 'status.waiting', {})).toBe('{n} waiting to sync');
  });

  it('writes Thai text in Thai', () => {
    expect(translate('th', 'nav.counter')).toMatch(/[\u0E00-\u0E7F]/);
    expect(translate('en', 'nav.counter')).toBe('Counter');
  });
});

describe('labelFor', () => {
  it('translates a known code and shows an unknown one as it is', () => {
    expect(labelFor('en', 'opkind', 'void_bill')).toBe('Void bill');
    expect(labelFor('th', 'review', 'overdrawn')).toBe('แลกแต้มเกินยอดคงเหลือ');
    expect(labelFor('en', 'review', 'something_new')).toBe('something_new');
  });
});
