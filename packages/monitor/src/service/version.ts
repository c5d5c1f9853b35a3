import { readFileSync } from 'node:fs';

/** @vigil/monitor's version (its package.json is two levels up from both src/service and dist/service). */
export const VIGIL_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
