import { describe, expect, it } from 'vitest';
import { BACKGROUND, contrast, PALETTE, serviceColor, serviceColors } from './colors.js';

describe('service colours', () => {
  it('every colour passes WCAG AA for normal text (4.5:1) on the page background', () => {
    for (const c of PALETTE) expect(contrast(c, BACKGROUND), c).toBeGreaterThanOrEqual(4.5);
  });

  it('computes the WCAG contrast ratio (black on white is 21, a colour on itself 1)', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#1d4ed8', '#1d4ed8')).toBe(1);
  });

  it('gives a service the same palette colour every time', () => {
    expect(serviceColor('checkout')).toBe(serviceColor('checkout'));
    expect(PALETTE).toContain(serviceColor('checkout'));
    expect(new Set(['a', 'b', 'c', 'd', 'e', 'f'].map(serviceColor)).size).toBeGreaterThan(1);
  });

  it('gives the services of one view distinct colours, up to the size of the palette', () => {
    const names = Array.from({ length: PALETTE.length }, (_, i) => `service-${i}`);
    const colours = serviceColors(names);
    expect(new Set(colours.values()).size).toBe(PALETTE.length);
    expect(serviceColors(['checkout']).get('checkout')).toBe(serviceColor('checkout'));
    expect(serviceColors([...names, 'one-more']).get('one-more')).toMatch(/^#/);
  });
});
