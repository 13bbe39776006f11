/**
 * @symbia/http: the shell every service is built on (outline §1). Services import from here only,
 * never from a file of this package.
 */

// App assembly, server lifecycle, configuration.
export * from './app.js';
export * from './server.js';
export * from './service-env.js';

// Request pipeline.
export * from './request-context.js';
export * from './logger.js';
export * from './body.js';
export * from './security-headers.js';
export * from './cors.js';
export * from './rate-limit.js';
export * from './problem-middleware.js';
export * from './health.js';
export * from './metrics.js';

// Errors, request context typing, routes and their validation.
export * from './errors.js';
export * from './context.js';
export * from './route.js';
export * from './registry.js';
export * from './validate.js';
export * from './schemas.js';
export * from './cursor.js';

// Docs and discovery.
export * from './operations.js';
export * from './shell-operations.js';
export * from './openapi.js';
export * from './docs-routes.js';
export * from './bootstrap.js';

// Authentication and tenancy.
export * from './auth.js';
export * from './auth-by-route.js';
export * from './auth-cache.js';
export * from './capabilities.js';
export * from './introspection.js';
export * from './service-token.js';
export * from './service-auth.js';
export * from './auth-shell-routes.js';
export * from './tenancy.js';

// Test helpers for services' own suites.
export * from './test-support.js';
