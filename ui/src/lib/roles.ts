// Which screens a signed-in role sees. The Rust side enforces every permission; this only
// decides what is shown.

/** A staff role, as AppState.session.role reports it. */
export type Role = 'cashier' | 'manager' | 'owner';

/** A top-level screen after sign-in. */
export type Screen = 'counter' | 'manager' | 'settings';

const SCREENS: Record<Role, readonly Screen[]> = {
  cashier: ['counter'],
  // Managers see the settings read-only (the server says why they cannot edit).
  manager: ['counter', 'manager', 'settings'],
  owner: ['counter', 'manager', 'settings'],
};

/** The screens a role may open, in navigation order; an unknown role gets the counter only. */
export function screensFor(role: string | null | undefined): readonly Screen[] {
  return SCREENS[role as Role] ?? SCREENS.cashier;
}

/** Whether the role may open the screen. */
export function canOpen(role: string | null | undefined, screen: Screen): boolean {
  return screensFor(role).includes(screen);
}
