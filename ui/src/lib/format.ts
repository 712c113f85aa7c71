// Display formatting: baht, points, Bangkok date-times (Buddhist Era in Thai, C.E. in English).
// Display only — amounts arrive from Rust as decimal strings and are never used in arithmetic.

import type { Lang } from './i18n';

/** The shop's time zone: every date and time is shown in Bangkok time. */
export const SHOP_TIME_ZONE = 'Asia/Bangkok';

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * "1250.5" → "฿1,250.50". Works on the decimal text (no float), rounding half away from zero
 * when more than two decimals arrive. Text that is not a number is returned unchanged.
 */
export function formatBaht(amount: string | number): string {
  const text = String(amount).trim().replace(/,/g, '');
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return String(amount);
  const negative = m[1] === '-';
  const whole = m[2] === '' ? '0' : m[2];
  const frac = (m[3] ?? '').padEnd(3, '0');
  let satang = BigInt(whole) * 100n + BigInt(frac.slice(0, 2));
  if (Number(frac[2]) >= 5) satang += 1n;
  const baht = groupThousands((satang / 100n).toString());
  const cents = (satang % 100n).toString().padStart(2, '0');
  const sign = negative && satang !== 0n ? '-' : '';
  return `${sign}฿${baht}.${cents}`;
}

/** 1234 → "1,234"; -40 → "-40". */
export function formatPoints(points: number): string {
  const sign = points < 0 ? '-' : '';
  return sign + groupThousands(String(Math.trunc(Math.abs(points))));
}

/** Points with an explicit sign for ledger lines: +40, -40, 0. */
export function formatSignedPoints(points: number): string {
  return points > 0 ? `+${formatPoints(points)}` : formatPoints(points);
}

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

function dtf(lang: Lang, withTime: boolean, timeZone: string): Intl.DateTimeFormat {
  const key = `${lang}|${withTime}|${timeZone}`;
  let f = dateTimeFormats.get(key);
  if (!f) {
    const locale = lang === 'th' ? 'th-TH-u-ca-buddhist-nu-latn' : 'en-GB-u-ca-gregory-nu-latn';
    f = new Intl.DateTimeFormat(locale, {
      timeZone,
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      ...(withTime ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' as const } : {}),
    });
    dateTimeFormats.set(key, f);
  }
  return f;
}

function assemble(parts: Intl.DateTimeFormatPart[], withTime: boolean): string {
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  const date = `${get('day')} ${get('month')} ${get('year')}`;
  return withTime ? `${date} ${get('hour')}:${get('minute')}` : date;
}

/** An ISO-8601 instant in Bangkok time: "24 พ.ย. 2569 14:05" (th) or "24 Nov 2026 14:05" (en). */
export function formatDateTime(iso: string, lang: Lang): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return assemble(dtf(lang, true, SHOP_TIME_ZONE).formatToParts(d), true);
}

/** The Bangkok calendar day of an instant: "24 พ.ย. 2569" (th) or "24 Nov 2026" (en). */
export function formatDayOf(iso: string, lang: Lang): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return assemble(dtf(lang, false, SHOP_TIME_ZONE).formatToParts(d), false);
}

/** A calendar date "yyyy-mm-dd" (no time zone): "15 ส.ค. 2530" (th) or "15 Aug 1987" (en). */
export function formatDate(date: string, lang: Lang): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return date;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return assemble(dtf(lang, false, 'UTC').formatToParts(d), false);
}

/** A calendar date "yyyy-mm-dd" as the form text dd/mm/yyyy: Buddhist Era in Thai, C.E. in English. */
export function dateToFormText(date: string | null | undefined, lang: Lang): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date ?? '');
  if (!m) return '';
  const year = lang === 'th' ? Number(m[1]) + 543 : Number(m[1]);
  return `${m[3]}/${m[2]}/${year}`;
}

/** How long ago, e.g. "5 นาทีที่ผ่านมา" / "5 minutes ago"; "now" under 10 seconds. */
export function formatRelative(iso: string, nowMs: number, lang: Lang): string {
  const then = new Date(iso).getTime();
  if (Number.isNaN(then)) return iso;
  const seconds = Math.round((nowMs - then) / 1000);
  const rtf = new Intl.RelativeTimeFormat(lang === 'th' ? 'th-TH' : 'en', { numeric: 'auto' });
  const abs = Math.abs(seconds);
  const sign = seconds >= 0 ? -1 : 1;
  if (abs < 10) return rtf.format(0, 'second');
  if (abs < 60) return rtf.format(sign * abs, 'second');
  if (abs < 3600) return rtf.format(sign * Math.floor(abs / 60), 'minute');
  if (abs < 86400) return rtf.format(sign * Math.floor(abs / 3600), 'hour');
  return rtf.format(sign * Math.floor(abs / 86400), 'day');
}

/** "0812345678" → "081-234-5678"; anything else unchanged. */
export function formatPhone(phone: string): string {
  const m = /^(0\d{2})(\d{3})(\d{4})$/.exec(phone);
  return m ? `${m[1]}-${m[2]}-${m[3]}` : phone;
}
