/**
 * Service colours. The same list colours the waterfall's bars and the legend's text and swatches, so they
 * cannot disagree; each passes WCAG AA for normal text (contrast ≥ 4.5:1) on the page's white background
 * (colors.test.ts checks). A service keeps its colour across traces where it can: the colour is chosen by a
 * hash of its name, and within one trace a colour already taken moves to the next free one, so up to ten
 * services never share a colour. Red is left out: it marks errors.
 */
export const PALETTE = ['#1d4ed8', '#047857', '#7c3aed', '#b45309', '#0e7490', '#be185d', '#4d7c0f', '#4338ca', '#9a3412', '#475569'] as const;

export const BACKGROUND = '#ffffff';

export function serviceColor(service: string): string {
  let h = 2166136261;
  for (let i = 0; i < service.length; i++) h = Math.imul(h ^ service.charCodeAt(i), 16777619);
  return PALETTE[(h >>> 0) % PALETTE.length];
}

/** Each service's colour within one view: its own (serviceColor) unless taken, else the next free one. */
export function serviceColors(services: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const taken = new Set<string>();
  for (const s of services) {
    if (out.has(s)) continue;
    let i = PALETTE.indexOf(serviceColor(s) as (typeof PALETTE)[number]);
    for (let n = 0; n < PALETTE.length && taken.has(PALETTE[i]); n++) i = (i + 1) % PALETTE.length;
    out.set(s, PALETTE[i]);
    taken.add(PALETTE[i]);
  }
  return out;
}

/** WCAG 2.x relative luminance of a #rrggbb colour. */
export function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2.x contrast ratio of two #rrggbb colours (1 to 21). */
export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}
