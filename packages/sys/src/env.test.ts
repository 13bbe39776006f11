import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, envBool, envInt, envList, parseConfig, resolvePort, resolveServiceUrl, serviceEnv, servicesInStartOrder, SERVICES } from './index.js';

describe('service table', () => {
  it('carries the outline ports', () => {
    expect(Object.fromEntries(Object.values(SERVICES).map((s) => [s.id, s.defaultPort]))).toEqual({
      network: 5054, identity: 5001, logging: 5002, catalog: 5003, messaging: 5005, integrations: 5007, runtime: 5006, assistants: 5004,
    });
  });
  it('orders services by tier', () => {
    expect(servicesInStartOrder(['assistants', 'catalog', 'identity', 'network'])).toEqual(['network', 'identity', 'catalog', 'assistants']);
  });
});

describe('port and url resolution', () => {
  it('prefers <SVC>_PORT, then PORT, then the default', () => {
    expect(resolvePort('identity', { IDENTITY_PORT: '6001', PORT: '7000' })).toBe(6001);
    expect(resolvePort('identity', { PORT: '7000' })).toBe(7000);
    expect(resolvePort('identity', {})).toBe(5001);
  });
  it('rejects a port that is not a port', () => {
    expect(() => resolvePort('identity', { IDENTITY_PORT: 'abc' })).toThrow(/IDENTITY_PORT/);
    expect(() => resolvePort('identity', { PORT: '70000' })).toThrow(/PORT/);
  });
  it('resolves peer urls from <SVC>_SERVICE_URL or loopback', () => {
    expect(resolveServiceUrl('logging', { LOGGING_SERVICE_URL: 'http://logs:9000/' })).toBe('http://logs:9000');
    expect(resolveServiceUrl('logging', { LOGGING_PORT: '6002', PORT: '1' })).toBe('http://127.0.0.1:6002');
    expect(resolveServiceUrl('network', {})).toBe('http://127.0.0.1:5054');
  });
  it('reads the service variable before the shared one', () => {
    expect(serviceEnv('network', 'SERVICE_SECRET', { NETWORK_SERVICE_SECRET: 'a', SERVICE_SECRET: 'b' })).toBe('a');
    expect(serviceEnv('network', 'SERVICE_SECRET', { SERVICE_SECRET: 'b' })).toBe('b');
    expect(serviceEnv('network', 'SERVICE_SECRET', {})).toBeUndefined();
  });
});

describe('typed env helpers', () => {
  it('parses booleans, ints and lists', () => {
    expect(envBool('TRUE', false)).toBe(true);
    expect(envBool(undefined, true)).toBe(true);
    expect(() => envBool('maybe', false)).toThrow();
    expect(envInt('12', 1)).toBe(12);
    expect(() => envInt('1.5', 1, 'X')).toThrow(/X/);
    expect(envList(' a, b,,c ')).toEqual(['a', 'b', 'c']);
  });
  it('reports every config problem at once without echoing values', () => {
    const schema = z.object({ A: z.string().min(32), B: z.coerce.number().int() });
    try {
      parseConfig(schema, { A: 'short-secret-value', B: 'x' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const e = err as ConfigError;
      expect(e.problems).toHaveLength(2);
      expect(e.message).not.toContain('short-secret-value');
    }
  });
});
