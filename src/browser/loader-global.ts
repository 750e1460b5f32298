/**
 * The script-tag loader: `<script src=".../isotel-loader.global.js"></script>` then `Isotel.init({...})`, as with
 * the SDK's own script-tag files, but the SDK loads and starts after the page (loader.ts).
 */
import { installLoader } from './loader.js';

if (typeof window !== 'undefined' && typeof document !== 'undefined') installLoader(window as unknown as Parameters<typeof installLoader>[0]);
