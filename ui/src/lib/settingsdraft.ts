// The settings screen edits text (what the owner types); this turns ShopSettings into that
// text and back. Only the shape is checked here (whole numbers where JSON needs a number);
// every rule (lowest tier at 0, rates in range, ...) is Rust's, answered by save_settings.

import type {
  CalculationPeriod,
  PointRate,
  RateMode,
  RetiredTier,
  ShopSettings,
  Tier,
  TierIcon,
} from './bindings';
import type { MessageKey } from './i18n';
import { thaiDigitsToLatin } from './parse';

/** A rate as typed: "spend `baht` → `points`". */
export interface RateDraft {
  baht: string;
  points: string;
}

/** A tier as typed. */
export interface TierDraft {
  id: number;
  name: string;
  description: string;
  start: string;
  icon: TierIcon;
  mode: RateMode['mode'];
  rate: RateDraft;
}

/** The whole settings form. */
export interface SettingsDraft {
  enabled: boolean;
  period: CalculationPeriod;
  tiers: TierDraft[];
  rates: { counter: RateDraft; ecommerce: RateDraft; sms: RateDraft };
  /** Tiers the shop removed: sent back as they came, their ids never given again. */
  retired: RetiredTier[];
  /** Ids of the tiers the settings had when the form opened (one removed in the form keeps
   * its id: a tier added in the same edit gets another). */
  openedIds: number[];
}

/** A value that could not become a number, and where. */
export interface DraftProblem {
  /** `tier-<index>-start`, `tier-<index>-points`, `rate-<name>-points`. */
  where: string;
  key: MessageKey;
}

export const PERIODS: readonly CalculationPeriod[] = [
  'since_registration',
  'last_3_months',
  'last_6_months',
  'last_9_months',
  'last_12_months',
];

const rateDraft = (r: PointRate): RateDraft => ({ baht: r.baht, points: String(r.points) });

/** The form for the current settings. */
export function toDraft(s: ShopSettings): SettingsDraft {
  return {
    enabled: s.tiers.enabled,
    period: s.tiers.period,
    tiers: s.tiers.tiers.map((t) => ({
      id: t.id,
      name: t.name,
      description: t.description,
      start: String(t.start_points),
      icon: t.icon,
      mode: t.rate_mode.mode,
      rate: t.rate_mode.mode === 'custom' ? rateDraft(t.rate_mode.rate) : rateDraft(s.rates.counter),
    })),
    rates: {
      counter: rateDraft(s.rates.counter),
      ecommerce: rateDraft(s.rates.ecommerce),
      sms: rateDraft(s.rates.sms),
    },
    retired: s.tiers.retired ?? [],
    openedIds: s.tiers.tiers.map((t) => t.id),
  };
}

/** A new tier for the form: the next free id, the shop's counter rate as its custom rate. */
export function newTier(draft: SettingsDraft): TierDraft {
  const taken = [
    ...draft.tiers.map((t) => t.id),
    ...draft.openedIds,
    ...draft.retired.map((r) => r.id),
  ];
  const id = taken.reduce((max, t) => Math.max(max, t), 0) + 1;
  return {
    id,
    name: '',
    description: '',
    start: '',
    icon: 'star',
    mode: 'based_on_system',
    rate: { ...draft.rates.counter },
  };
}

function wholeNumber(text: string): number | null {
  const t = thaiDigitsToLatin(text).trim().replace(/,/g, '');
  return /^\d+$/.test(t) ? Number(t) : null;
}

function baht(text: string): string {
  return thaiDigitsToLatin(text).trim().replace(/,/g, '');
}

/** The settings to send, or the first value that is not a whole number. */
export function fromDraft(d: SettingsDraft): { settings: ShopSettings } | { problem: DraftProblem } {
  const rate = (r: RateDraft, where: string): PointRate | DraftProblem => {
    const points = wholeNumber(r.points);
    if (points === null) return { where, key: 'check.points_not_whole' };
    return { baht: baht(r.baht), points };
  };
  const isProblem = (x: unknown): x is DraftProblem =>
    typeof x === 'object' && x !== null && 'where' in x;

  const tiers: Tier[] = [];
  for (const [i, t] of d.tiers.entries()) {
    const start = wholeNumber(t.start);
    if (start === null) return { problem: { where: `tier-${i}-start`, key: 'check.points_not_whole' } };
    let rate_mode: RateMode = { mode: 'based_on_system' };
    if (t.mode === 'custom') {
      const r = rate(t.rate, `tier-${i}-points`);
      if (isProblem(r)) return { problem: r };
      rate_mode = { mode: 'custom', rate: r };
    }
    tiers.push({
      id: t.id,
      name: t.name.trim(),
      description: t.description.trim(),
      start_points: start,
      icon: t.icon,
      rate_mode,
    });
  }
  const counter = rate(d.rates.counter, 'rate-counter-points');
  if (isProblem(counter)) return { problem: counter };
  const ecommerce = rate(d.rates.ecommerce, 'rate-ecommerce-points');
  if (isProblem(ecommerce)) return { problem: ecommerce };
  const sms = rate(d.rates.sms, 'rate-sms-points');
  if (isProblem(sms)) return { problem: sms };
  return {
    settings: {
      rates: { counter, ecommerce, sms },
      tiers: { enabled: d.enabled, period: d.period, tiers, retired: d.retired },
    },
  };
}
