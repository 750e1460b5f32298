/**
 * The script-tag build of `isotel/browser`: `Isotel.init({...})`. Assigned rather than exported: an IIFE
 * with exports carries esbuild's module-namespace helpers (0.2 KB gzipped). This file holds the SDK and
 * nothing else, so the frames of its captured errors that are in it are the SDK's, and are taken out
 * (errors/own-frames.ts).
 */
import { ownFile, ownFrames } from './errors/own-frames.js';
import { fullFeatures } from './features-full.js';
import { initWith } from './init-with.js';

(globalThis as { Isotel?: unknown }).Isotel = { init: initWith(ownFrames(fullFeatures, () => ownFile(new Error().stack))) };
