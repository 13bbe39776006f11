export * from './base.js';
export * from './users.js';
export * from './orgs.js';
export * from './principals.js';
export * from './resources.js';
