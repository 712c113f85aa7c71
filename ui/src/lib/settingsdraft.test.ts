import { describe, expect, it } from 'vitest';
import type { ShopSettings } from './bindings';
import { fromDraft, newTier, toDraft } from './settingsdraft';

const SETTINGS: ShopSettings = {
  rates: {
    counter: { baht: '25', points: 1 },
    ecommerce: { baht: '50', points: 1 },
    sms: { baht: '100', points: 1 },
  },
  tiers: {
    enabled: true,
    period: 'last_12_months',
    tiers: [
      { id: 1, name: 'Member', description: '', start_points: 0, icon: 'seedling', rate_mode: { mode: 'based_on_system' } },
      {
        id: 2,
        name: 'Gold',
        description: 'Top',
        start_points: 1000,
        icon: 'gold',
        rate_mode: { mode: 'custom', rate: { baht: '20', points: 1 } },
      },
    ],
    retired: [],
  },
};

describe('settings draft', () => {
  it('round-trips unchanged settings', () => {
    expect(fromDraft(toDraft(SETTINGS))).toEqual({ settings: SETTINGS });
  });

  it('reads typed numbers with commas and Thai digits', () => {
    const d = toDraft(SETTINGS);
    d.tiers[1].start = '๑,๕๐๐';
    d.rates.counter = { baht: '1,000', points: '๔' };
    const out = fromDraft(d);
    expect('settings' in out && out.settings.tiers.tiers[1].start_points).toBe(1500);
    expect('settings' in out && out.settings.rates.counter).toEqual({ baht: '1000', points: 4 });
  });

  it('names the field that is not a whole number instead of sending it', () => {
    const d = toDraft(SETTINGS);
    d.tiers[1].start = '10.5';
    expect(fromDraft(d)).toEqual({ problem: { where: 'tier-1-start', key: 'check.points_not_whole' } });
    const e = toDraft(SETTINGS);
    e.rates.sms.points = '';
    expect(fromDraft(e)).toEqual({ problem: { where: 'rate-sms-points', key: 'check.points_not_whole' } });
  });

  it('switching a tier to custom sends its rate; based on system sends none', () => {
    const d = toDraft(SETTINGS);
    d.tiers[0].mode = 'custom';
    d.tiers[1].mode = 'based_on_system';
    const out = fromDraft(d);
    if (!('settings' in out)) throw new Error('expected settings');
    expect(out.settings.tiers.tiers[0].rate_mode).toEqual({ mode: 'custom', rate: { baht: '25', points: 1 } });
    expect(out.settings.tiers.tiers[1].rate_mode).toEqual({ mode: 'based_on_system' });
  });

  it('gives a new tier the next free id', () => {
    expect(newTier(toDraft(SETTINGS)).id).toBe(3);
  });

  it('never gives a new tier the id of a removed one', () => {
    // Removed earlier: the shop's settings remember it.
    const withRetired: ShopSettings = {
      ...SETTINGS,
      tiers: { ...SETTINGS.tiers, retired: [{ id: 7, name: 'Platinum', icon: 'crown' }] },
    };
    expect(newTier(toDraft(withRetired)).id).toBe(8);
    // Removed in this same edit: its id stays taken too.
    const d = toDraft(SETTINGS);
    d.tiers.pop();
    expect(newTier(d).id).toBe(3);
    const out = fromDraft(toDraft(withRetired));
    if (!('settings' in out)) throw new Error('expected settings');
    expect(out.settings.tiers.retired).toEqual([{ id: 7, name: 'Platinum', icon: 'crown' }]);
  });
});
