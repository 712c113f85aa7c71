// AppError handling: every command rejects with { code, field, en, th }. Errors whose field is
// on the current form are shown next to it; all others go to the banner.

import type { AppError } from './bindings';
import type { Lang } from './i18n';

/** Whether a value has the AppError shape. */
export function isAppError(value: unknown): value is AppError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.code === 'string' && typeof v.en === 'string' && typeof v.th === 'string';
}

/** Any rejection as an AppError (a bare string or Error becomes a screen-wide one). */
export function toAppError(value: unknown): AppError {
  if (isAppError(value)) return { ...value, field: value.field ?? null };
  const message =
    value instanceof Error ? value.message : typeof value === 'string' ? value : JSON.stringify(value);
  return { code: 'ui_unexpected', field: null, en: message, th: message };
}

/** The error's sentence in the language. */
export function errorText(error: AppError, lang: Lang): string {
  return lang === 'th' ? error.th : error.en;
}

/** Splits an error into "next to a field on this form" or "for the banner". */
export function placeError(
  error: AppError,
  formFields: readonly string[],
): { field: string; error: AppError } | { banner: AppError } {
  if (error.field && formFields.includes(error.field)) return { field: error.field, error };
  return { banner: error };
}
