export * from './config/index.js';
export * from './model.js';
export type * from './store/store.js';
