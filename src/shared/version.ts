/** isotel's own version, reported as telemetry.sdk.version. Kept in step with package.json by a test. */
export const SDK_VERSION = '0.1.0';
