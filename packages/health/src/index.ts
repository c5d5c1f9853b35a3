export * from '@vigil/core';
export { expressHealth } from './adapters/express.js';
export {
  type FastifyHealthInstance,
  type FastifyHealthOptions,
  type FastifyHealthPlugin,
  type FastifyHealthReply,
  type FastifyHealthRequest,
  fastifyHealth,
} from './adapters/fastify.js';
export { type HonoHealthContext, type HonoHealthMiddleware, honoHealth } from './adapters/hono.js';
export { type KoaHealthContext, type KoaHealthMiddleware, koaHealth } from './adapters/koa.js';
export {
  createHealth,
  type Health,
  type HealthOptions,
  type HealthPaths,
  type ReportSelection,
  type ShowPolicy,
} from './health.js';
export type {
  ScrapeGaugeContext,
  ScrapeGaugeOptions,
  ScrapeGaugeResult,
  ScrapeGaugeSample,
} from './metrics/collectors.js';
export type { MetricsFormat } from './metrics/format.js';
export type { HealthMetrics, MetricsOptions, MetricsScrape } from './metrics/health-metrics.js';
export { fromNodeRequest, type NodeMiddleware, nodeHandler, writeNodeResponse } from './node.js';
export type { HealthRequest, HealthResponse } from './request.js';
export { CheckRunner, type CheckRunnerOptions } from './runner.js';
export {
  type CleanupHook,
  type GracefulShutdownHandle,
  type GracefulShutdownOptions,
  installGracefulShutdown,
  type ShutdownLogger,
  type ShutdownResult,
  type ShutdownServer,
} from './shutdown.js';
export * from './worker/index.js';
