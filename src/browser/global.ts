/** The script-tag build of `isotel/browser`: `Isotel.init({...})`. */
export { init } from './index.js';
