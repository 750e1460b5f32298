/**
 * The script-tag build of `isotel/browser/zone`: `Isotel.init({...})`. Assigned rather than exported: an
 * IIFE with exports carries esbuild's module-namespace helpers (0.2 KB gzipped).
 */
import { init } from './zone.js';

(globalThis as { Isotel?: unknown }).Isotel = { init };
