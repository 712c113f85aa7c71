// Client-side pre-checks for instant feedback while typing. The Rust side is the authority:
// every value is still sent as typed and Rust answers with the real AppError.

import type { MessageKey } from './i18n';

const THAI_DIGITS = '๐๑๒๓๔๕๖๗๘๙';

/** "๑,๒๕๐" → "1,250": Thai digits read as Latin ones; everything else unchanged. */
export function thaiDigitsToLatin(text: string): string {
  return text.replace(/[๐-๙]/g, (c) => String(THAI_DIGITS.indexOf(c)));
}

/** Whether the text holds any Thai digit (then a hint shows how it will be read). */
export function hasThaiDigits(text: string): boolean {
  return /[๐-๙]/.test(text);
}

/** A pre-check verdict: null when the text looks acceptable, else the message to show. */
export type Precheck = MessageKey | null;

function compact(text: string): string {
  return thaiDigitsToLatin(text).trim().replace(/^฿\s*/, '').replace(/\s*(บาท|baht|THB)$/i, '');
}

/** A purchase amount: digits (Thai or Latin), thousands commas, at most two decimals, above 0. */
export function precheckAmount(text: string): Precheck {
  const t = compact(text);
  if (t === '') return 'check.amount_empty';
  if (/[^\d.,]/.test(t)) return 'check.amount_not_number';
  const plain = t.replace(/,/g, '');
  if (!/^\d*(\.\d*)?$/.test(plain) || plain === '.' ) return 'check.amount_not_number';
  const decimals = plain.split('.')[1] ?? '';
  if (decimals.length > 2) return 'check.amount_decimals';
  if (!/[1-9]/.test(plain)) return 'check.amount_zero';
  return null;
}

/** A whole number of points above 0 (commas allowed). */
export function precheckPoints(text: string): Precheck {
  const t = thaiDigitsToLatin(text).trim().replace(/,/g, '');
  if (t === '') return 'check.points_empty';
  if (!/^\d+$/.test(t)) return 'check.points_not_whole';
  if (!/[1-9]/.test(t)) return 'check.points_zero';
  return null;
}

/** A Thai mobile number: 0XXXXXXXXX, 66XXXXXXXXX or +66XXXXXXXXX, with dashes or spaces. */
export function precheckPhone(text: string): Precheck {
  const t = thaiDigitsToLatin(text).trim();
  if (t === '') return 'check.phone_empty';
  if (/[^\d\s\-+().]/.test(t)) return 'check.phone_not_number';
  const digits = t.replace(/\D/g, '');
  const local = digits.startsWith('66') && digits.length === 11 ? `0${digits.slice(2)}` : digits;
  if (local.length !== 10 || !local.startsWith('0')) return 'check.phone_length';
  return null;
}

/** A birthday dd/mm/yyyy (Buddhist Era or C.E.), or empty for none. */
export function precheckBirthday(text: string): Precheck {
  const t = thaiDigitsToLatin(text).trim();
  if (t === '') return null;
  const m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(t);
  if (!m) return 'check.birthday_format';
  const day = Number(m[1]);
  const month = Number(m[2]);
  if (month < 1 || month > 12 || day < 1 || day > 31) return 'check.birthday_format';
  return null;
}

/** Something other than whitespace was typed. */
export function precheckRequired(text: string): Precheck {
  return text.trim() === '' ? 'check.required' : null;
}
