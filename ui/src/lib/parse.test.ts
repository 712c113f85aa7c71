import { describe, expect, it } from 'vitest';
import {
  hasThaiDigits,
  precheckAmount,
  precheckBirthday,
  precheckPhone,
  precheckPoints,
  thaiDigitsToLatin,
} from './parse';

describe('Thai digits', () => {
  it('reads ๐–๙ as 0–9 and keeps everything else', () => {
    expect(thaiDigitsToLatin('๑,๒๕๐.๕๐')).toBe('1,250.50');
    expect(thaiDigitsToLatin('๐๘๑-๒๓๔-๕๖๗๘')).toBe('081-234-5678');
    expect(thaiDigitsToLatin('บิล A๑๒')).toBe('บิล A12');
    expect(hasThaiDigits('๑๐๐')).toBe(true);
    expect(hasThaiDigits('100')).toBe(false);
  });
});

describe('precheckAmount', () => {
  it('accepts amounts as cashiers type them', () => {
    for (const ok of ['1250', '1,250.50', '๑๐๐', '0.5', '฿99', '25 บาท', '.50']) {
      expect(precheckAmount(ok), ok).toBeNull();
    }
  });

  it('flags letters, empty, too many decimals and zero', () => {
    expect(precheckAmount('12a4')).toBe('check.amount_not_number');
    expect(precheckAmount('abc')).toBe('check.amount_not_number');
    expect(precheckAmount('1.2.3')).toBe('check.amount_not_number');
    expect(precheckAmount('-5')).toBe('check.amount_not_number');
    expect(precheckAmount('   ')).toBe('check.amount_empty');
    expect(precheckAmount('10.505')).toBe('check.amount_decimals');
    expect(precheckAmount('0.00')).toBe('check.amount_zero');
  });
});

describe('precheckPoints', () => {
  it('wants a whole number above zero', () => {
    expect(precheckPoints('1,000')).toBeNull();
    expect(precheckPoints('๕๐')).toBeNull();
    expect(precheckPoints('')).toBe('check.points_empty');
    expect(precheckPoints('1.5')).toBe('check.points_not_whole');
    expect(precheckPoints('ten')).toBe('check.points_not_whole');
    expect(precheckPoints('0')).toBe('check.points_zero');
  });
});

describe('precheckPhone', () => {
  it('accepts the written forms of a Thai mobile number', () => {
    for (const ok of ['0812345678', '081-234-5678', '+66812345678', '66812345678', '๐๘๑๒๓๔๕๖๗๘']) {
      expect(precheckPhone(ok), ok).toBeNull();
    }
  });

  it('flags letters and wrong lengths', () => {
    expect(precheckPhone('08123x5678')).toBe('check.phone_not_number');
    expect(precheckPhone('081234567')).toBe('check.phone_length');
    expect(precheckPhone('1812345678')).toBe('check.phone_length');
    expect(precheckPhone('')).toBe('check.phone_empty');
  });
});

describe('precheckBirthday', () => {
  it('accepts empty and dd/mm/yyyy in either era', () => {
    expect(precheckBirthday('')).toBeNull();
    expect(precheckBirthday('15/08/2530')).toBeNull();
    expect(precheckBirthday('15/8/1987')).toBeNull();
    expect(precheckBirthday('๑๕/๐๘/๒๕๓๐')).toBeNull();
  });

  it('flags other shapes and impossible day or month numbers', () => {
    expect(precheckBirthday('1987-08-15')).toBe('check.birthday_format');
    expect(precheckBirthday('15/13/2530')).toBe('check.birthday_format');
    expect(precheckBirthday('32/01/2530')).toBe('check.birthday_format');
    expect(precheckBirthday('15/08/30')).toBe('check.birthday_format');
  });
});
