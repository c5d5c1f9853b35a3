/** `health`: an http monitor that reads a health endpoint and records each component's status. */
import { z } from 'zod';
import { commonFields, monitorType, probeFields } from './base.js';
import { checkHttpFields, httpFields } from './http.js';

export const HEALTH_FORMATS = ['auto', 'vigil', 'health+json', 'spring', 'kubernetes'] as const;

export const healthMonitor = z
  .strictObject({
    type: monitorType('health', 'A health endpoint: like http, and each component of the answer is recorded.'),
    ...commonFields,
    ...probeFields('health'),
    ...httpFields,
    format: z
      .enum(HEALTH_FORMATS)
      .default('auto')
      .describe(
        'Shape of the answer: `vigil` (@vigil/health JSON), `health+json` (draft RFC), `spring` (Spring Boot actuator), `kubernetes` (`/readyz?verbose` text), or `auto` to detect it.',
      ),
  })
  .superRefine(checkHttpFields)
  .describe(
    'Polls a health endpoint (@vigil/health, application/health+json, Spring Boot actuator, Kubernetes ?verbose). A degraded component makes the monitor degraded; the result names the failing component.',
  );
