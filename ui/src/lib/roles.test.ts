import { describe, expect, it } from 'vitest';
import { canOpen, screensFor } from './roles';

describe('role → screens', () => {
  it('gives a cashier the counter only', () => {
    expect(screensFor('cashier')).toEqual(['counter']);
    expect(canOpen('cashier', 'manager')).toBe(false);
    expect(canOpen('cashier', 'settings')).toBe(false);
  });

  it('gives a manager the manager views and the settings to read', () => {
    expect(screensFor('manager')).toEqual(['counter', 'manager', 'settings']);
  });

  it('gives an owner everything', () => {
    expect(screensFor('owner')).toEqual(['counter', 'manager', 'settings']);
    expect(canOpen('owner', 'settings')).toBe(true);
  });

  it('treats an unknown or missing role as a cashier', () => {
    expect(screensFor('intruder')).toEqual(['counter']);
    expect(screensFor(null)).toEqual(['counter']);
  });
});
