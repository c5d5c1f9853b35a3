/** Shown in /api/health's `version` and the worker's; kept in step with package.json by hand (it is private). */
export const SHOP_VERSION = '0.1.0';
