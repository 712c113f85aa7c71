import { describe, expect, it } from 'vitest';
import {
  dateToFormText,
  formatBaht,
  formatDate,
  formatDateTime,
  formatDayOf,
  formatPoints,
  formatRelative,
  formatPhone,
  formatSignedPoints,
} from './format';

describe('formatBaht', () => {
  it('shows baht with a thousands separator and two decimals', () => {
    expect(formatBaht('1250.50')).toBe('฿1,250.50');
    expect(formatBaht('1250.5')).toBe('฿1,250.50');
    expect(formatBaht('1250')).toBe('฿1,250.00');
    expect(formatBaht('1234567.89')).toBe('฿1,234,567.89');
    expect(formatBaht('0')).toBe('฿0.00');
    expect(formatBaht(99)).toBe('฿99.00');
  });

  it('works on the decimal text, never through floats', () => {
    expect(formatBaht('9007199254740993.10')).toBe('฿9,007,199,254,740,993.10');
    expect(formatBaht('0.1')).toBe('฿0.10');
  });

  it('rounds a third decimal half away from zero and keeps the sign', () => {
    expect(formatBaht('24.995')).toBe('฿25.00');
    expect(formatBaht('24.994')).toBe('฿24.99');
    expect(formatBaht('-40.5')).toBe('-฿40.50');
  });

  it('leaves text that is not an amount unchanged', () => {
    expect(formatBaht('abc')).toBe('abc');
  });
});

describe('formatPoints', () => {
  it('groups thousands', () => {
    expect(formatPoints(1234)).toBe('1,234');
    expect(formatPoints(1234567)).toBe('1,234,567');
    expect(formatPoints(999)).toBe('999');
    expect(formatPoints(0)).toBe('0');
    expect(formatPoints(-12500)).toBe('-12,500');
  });

  it('signs ledger points', () => {
    expect(formatSignedPoints(40)).toBe('+40');
    expect(formatSignedPoints(-1200)).toBe('-1,200');
    expect(formatSignedPoints(0)).toBe('0');
  });
});

describe('formatDateTime', () => {
  it('shows Thai in Buddhist Era with Thai month abbreviations, in Bangkok time', () => {
    // 07:05 UTC is 14:05 in Bangkok (UTC+7).
    expect(formatDateTime('2026-11-24T07:05:00Z', 'th')).toBe('24 พ.ย. 2569 14:05');
  });

  it('shows English in C.E.', () => {
    expect(formatDateTime('2026-11-24T07:05:00Z', 'en')).toBe('24 Nov 2026 14:05');
  });

  it('moves a late-evening UTC time to the next day in Bangkok', () => {
    // 31 Dec 2025 20:30 UTC is 1 Jan 2026 03:30 in Bangkok: the year changes too.
    expect(formatDateTime('2025-12-31T20:30:00Z', 'en')).toBe('1 Jan 2026 03:30');
    expect(formatDateTime('2025-12-31T20:30:00Z', 'th')).toBe('1 ม.ค. 2569 03:30');
  });

  it('gives the Bangkok day of an instant', () => {
    expect(formatDayOf('2025-12-31T20:30:00Z', 'th')).toBe('1 ม.ค. 2569');
    expect(formatDayOf('2025-12-31T16:59:59Z', 'en')).toBe('31 Dec 2025');
  });

  it('accepts fractional seconds and offsets', () => {
    expect(formatDateTime('2026-11-24T14:05:59.999+07:00', 'en')).toBe('24 Nov 2026 14:05');
  });

  it('returns unreadable text unchanged', () => {
    expect(formatDateTime('not a date', 'th')).toBe('not a date');
  });
});

describe('calendar dates', () => {
  it('formats a birthday without shifting the day', () => {
    expect(formatDate('1987-08-15', 'th')).toBe('15 ส.ค. 2530');
    expect(formatDate('1987-08-15', 'en')).toBe('15 Aug 1987');
  });

  it('writes form text as dd/mm/yyyy, Buddhist Era in Thai', () => {
    expect(dateToFormText('1987-08-15', 'th')).toBe('15/08/2530');
    expect(dateToFormText('1987-08-15', 'en')).toBe('15/08/1987');
    expect(dateToFormText(null, 'th')).toBe('');
  });
});

describe('formatRelative', () => {
  const now = Date.parse('2026-11-24T07:05:00Z');
  it('says how long ago in each language', () => {
    expect(formatRelative('2026-11-24T07:04:58Z', now, 'en')).toBe('now');
    expect(formatRelative('2026-11-24T07:04:30Z', now, 'en')).toBe('30 seconds ago');
    expect(formatRelative('2026-11-24T07:00:00Z', now, 'en')).toBe('5 minutes ago');
    expect(formatRelative('2026-11-24T04:05:00Z', now, 'en')).toBe('3 hours ago');
    expect(formatRelative('2026-11-22T07:05:00Z', now, 'en')).toBe('2 days ago');
    expect(formatRelative('2026-11-24T07:00:00Z', now, 'th')).toBe('5 นาทีที่ผ่านมา');
  });
});

describe('formatPhone', () => {
  it('writes a mobile number in the usual 3-3-4 groups', () => {
    expect(formatPhone('0812345678')).toBe('081-234-5678');
    expect(formatPhone('+66812345678')).toBe('+66812345678');
  });
});
