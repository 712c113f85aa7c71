// The built-in tier icons: one inline SVG per TierIcon value. Static markup only (never user
// input), so it is safe to insert as HTML.

import type { TierIcon } from './bindings';

const medal = (ribbon: string, face: string, rim: string) =>
  `<path d="M7.5 2h3.5l2 6.5H9.5z" fill="${ribbon}"/><path d="M16.5 2H13l-2 6.5h3.5z" fill="${ribbon}" opacity=".8"/>` +
  `<circle cx="12" cy="15" r="6.5" fill="${face}" stroke="${rim}" stroke-width="1.5"/>` +
  `<circle cx="12" cy="15" r="3.8" fill="none" stroke="${rim}" stroke-width="1"/>`;

const SHAPES: Record<TierIcon, string> = {
  seedling:
    '<path d="M12 21v-9" stroke="#2e7d32" stroke-width="2" stroke-linecap="round"/>' +
    '<path d="M12 13C12 8.6 8.8 6 4 6c0 4.5 3.3 7 8 7z" fill="#66bb6a"/>' +
    '<path d="M12 11c0-4.2 3-6.8 8-6.8 0 4.6-3 6.8-8 6.8z" fill="#43a047"/>' +
    '<path d="M6.5 21h11" stroke="#8d6e63" stroke-width="2" stroke-linecap="round"/>',
  leaf:
    '<path d="M4.5 19.5C4.5 10 10.5 4 20 4c0 10-6 15.5-15.5 15.5z" fill="#43a047"/>' +
    '<path d="M4.5 19.5L15 9" stroke="#1b5e20" stroke-width="1.5" stroke-linecap="round"/>',
  heart:
    '<path d="M12 21s-7.6-4.6-9.5-9.3C1.2 8.4 3.3 4.5 7 4.5c2.1 0 3.7 1.1 5 3 1.3-1.9 2.9-3 5-3 3.7 0 5.8 3.9 4.5 7.2C19.6 16.4 12 21 12 21z" fill="#e53950"/>',
  star:
    '<path d="M12 2.5l2.9 6.1 6.6.8-4.9 4.6 1.3 6.6L12 17.3l-5.9 3.3 1.3-6.6-4.9-4.6 6.6-.8z" fill="#f5b300" stroke="#c68a00" stroke-width="1" stroke-linejoin="round"/>',
  silver: medal('#1e63b5', '#cfd8dc', '#78909c'),
  gold: medal('#c62828', '#ffca28', '#c68a00'),
  platinum:
    medal('#37474f', '#e3eef5', '#8aa4b8') +
    '<path d="M12 12.3l.9 1.8 2 .3-1.4 1.4.3 2-1.8-.9-1.8.9.3-2-1.4-1.4 2-.3z" fill="#8aa4b8"/>',
  diamond:
    '<path d="M6 3.5h12l4 5.5-10 12L2 9z" fill="#4fc3f7" stroke="#0288d1" stroke-width="1" stroke-linejoin="round"/>' +
    '<path d="M2 9h20M8.5 3.5L7 9l5 12 5-12-1.5-5.5" fill="none" stroke="#e1f5fe" stroke-width="1"/>',
  gem:
    '<path d="M12 2l8.5 5v10L12 22l-8.5-5V7z" fill="#7e57c2" stroke="#4527a0" stroke-width="1" stroke-linejoin="round"/>' +
    '<path d="M12 6.5l4.8 2.8v5.4L12 17.5l-4.8-2.8V9.3z" fill="#b39ddb"/>',
  crown:
    '<path d="M3 17.5L2 7l6 4.8L12 5l4 6.8L22 7l-1 10.5z" fill="#f5b300" stroke="#c68a00" stroke-width="1" stroke-linejoin="round"/>' +
    '<rect x="3" y="18.5" width="18" height="2.5" rx="1" fill="#c68a00"/>' +
    '<circle cx="12" cy="13.5" r="1.6" fill="#e53950"/>',
  trophy:
    '<path d="M7 5H4v2a3.5 3.5 0 0 0 3.5 3.5M17 5h3v2a3.5 3.5 0 0 1-3.5 3.5" fill="none" stroke="#c68a00" stroke-width="1.6"/>' +
    '<path d="M7 3h10v5.5a5 5 0 0 1-10 0z" fill="#f5b300" stroke="#c68a00" stroke-width="1"/>' +
    '<path d="M10.8 13.4h2.4v3.8h-2.4z" fill="#c68a00"/>' +
    '<rect x="7.5" y="17.5" width="9" height="3.5" rx="1" fill="#8d6e63"/>',
};

/** Every tier icon, in the order the settings picker offers them. */
export const TIER_ICONS: readonly TierIcon[] = [
  'seedling',
  'leaf',
  'heart',
  'star',
  'silver',
  'gold',
  'platinum',
  'diamond',
  'gem',
  'crown',
  'trophy',
];

/** A complete <svg> element for the icon (falls back to the star for an unknown name). */
export function tierIconSvg(icon: TierIcon, sizePx: number): string {
  const shapes = SHAPES[icon] ?? SHAPES.star;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="${sizePx}" height="${sizePx}" aria-hidden="true" focusable="false">${shapes}</svg>`;
}
