// The current UI language, reactive: components that call t() re-render when it changes.

import { labelFor, translate, type Lang, type MessageKey, type MessageParams } from './i18n';

const current = $state<{ lang: Lang }>({ lang: 'th' });

/** The current language. */
export function lang(): Lang {
  return current.lang;
}

/** Switch the language (the caller also tells Rust with set_language). */
export function setLang(next: Lang): void {
  current.lang = next;
  if (typeof document !== 'undefined') document.documentElement.lang = next;
}

/** The text for `key` in the current language. */
export function t(key: MessageKey, params?: MessageParams): string {
  return translate(current.lang, key, params);
}

/** A label for a code Rust sends as text (see labelFor), in the current language. */
export function tCode(prefix: 'opkind' | 'review' | 'review_detail' | 'reject', code: string): string {
  return labelFor(current.lang, prefix, code);
}
