export * from './services.js';
export * from './env.js';
export * from './config.js';
