export { backstopDelay, DEADLINE_BACKSTOP_MS, deadlineBackstop, failureCause } from './deadline.js';
export { bareHost, timedLookup } from './lookup.js';
export {
  certificateExpiryProblem,
  earliestCertificateExpiry,
  type ExpiryThresholds,
  validateExpiryThresholds,
} from './certificate.js';
