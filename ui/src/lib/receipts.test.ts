import { describe, expect, it } from 'vitest';
import type { AwardReceipt, MemberSummary } from './bindings';
import { translate } from './i18n';
import { summariseAward } from './receipts';

const member: MemberSummary = {
  member_id: 'm1',
  code: '7K3QD-9XW2S-P',
  phone: '0812345678',
  name: 'สมชาย ใจดี',
  tier: { id: 1, name: 'Member', icon: 'seedling' },
  balance: 1284,
};

const receipt = (over: Partial<AwardReceipt>): AwardReceipt => ({
  op_id: 'op',
  replayed: false,
  kind: 'earn',
  member,
  points: 50,
  bill_no: 'B-1',
  amount: '1250.00',
  rate: '25 THB → 1 point',
  reason: null,
  tier_change: null,
  ...over,
});

describe('summariseAward', () => {
  it('says the points moved and the new balance', () => {
    const s = summariseAward(receipt({}));
    expect(translate('en', s.key, s.params)).toBe('Awarded 50 points · balance 1,284 points');
    expect(s.replayed).toBe(false);
  });

  it('shows voided and redeemed points without a minus sign', () => {
    const v = summariseAward(receipt({ kind: 'earn_reversal', points: -1200, bill_no: 'B-9' }));
    expect(translate('en', v.key, v.params)).toBe(
      'Voided bill B-9 · 1,200 points taken back · balance 1,284 points',
    );
    const r = summariseAward(receipt({ kind: 'redeem', points: -100 }));
    expect(translate('th', r.key, r.params)).toBe('ใช้ 100 แต้มแล้ว · คงเหลือ 1,284 แต้ม');
  });

  it('signs an adjustment and names a tier change', () => {
    const s = summariseAward(
      receipt({
        kind: 'adjust',
        points: -30,
        tier_change: {
          from: { id: 2, name: 'Silver', icon: 'silver' },
          to: { id: 1, name: 'Member', icon: 'seedling' },
          reason: 'adjusted',
          accumulated_points: 900,
          at: '2026-11-24T07:05:00Z',
        },
      }),
    );
    expect(s.params.points).toBe('-30');
    expect(s.tierName).toBe('Member');
  });

  it('reports a replay', () => {
    expect(summariseAward(receipt({ replayed: true })).replayed).toBe(true);
  });
});
