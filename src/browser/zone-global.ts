/**
 * The script-tag build of `isotel/browser/zone`: `Isotel.init({...})`. Assigned rather than exported: an
 * IIFE with exports carries esbuild's module-namespace helpers (0.2 KB gzipped). This file holds the SDK
 * and zone.js and nothing else: the frames of captured errors that are in it are taken out (global.ts).
 */
import { ownFile, ownFrames } from './errors/own-frames.js';
import { zoneFeatures } from './features-zone.js';
import { initWith } from './init-with.js';

(globalThis as { Isotel?: unknown }).Isotel = { init: initWith(ownFrames(zoneFeatures, () => ownFile(new Error().stack))) };
