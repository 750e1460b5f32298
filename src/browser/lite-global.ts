/** The script-tag build of `isotel/browser/lite`: `Isotel.init({...})`. */
export { init } from './lite.js';
