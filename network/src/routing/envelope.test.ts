import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  decodeDeliveryKey,
  signEnvelope,
  signHttpDelivery,
  verifyEnvelope,
  verifyHttpDelivery,
} from './envelope.js';

// Bytes 0x00..0x1f; the expected signatures below were computed outside Node (Python hmac + json).
const KEY = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8';

const body = {
  payload: { type: 'message.new', data: { z: true, b: '\u2028<"x">\n', a: [1, 'é', null, { y: 2, x: 1.5 }] } },
  wrapper: { target: 'assistants', source: 'messaging', path: ['messaging', 'assistants'], id: 'e1', boundary: 'intra', causedBy: null },
};

describe('canonicalJson', () => {
  it('sorts keys at every depth and adds no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { f: 1, e: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"e":2,"f":1}]},"b":1}');
  });

  it('escapes exactly what JSON.stringify escapes', () => {
    const text = 'quote " backslash \\ newline \n tab \t nul \u0000 line-sep \u2028 emoji 😀 lone \ud800';
    expect(canonicalJson({ text })).toBe(`{"text":${JSON.stringify(text)}}`);
    expect(canonicalJson('é')).toBe('"é"');
  });

  it('writes the vector text', () => {
    expect(canonicalJson(body)).toBe(
      '{"payload":{"data":{"a":[1,"é",null,{"x":1.5,"y":2}],"b":"\u2028<\\"x\\">\\n","z":true},"type":"message.new"},' +
        '"wrapper":{"boundary":"intra","causedBy":null,"id":"e1","path":["messaging","assistants"],"source":"messaging","target":"assistants"}}',
    );
  });

  it('follows JSON.stringify for undefined, non-finite numbers and dates', () => {
    expect(canonicalJson({ a: undefined, b: [undefined, NaN, Infinity], c: new Date(0) })).toBe('{"b":[null,null,null],"c":"1970-01-01T00:00:00.000Z"}');
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
  });

  it('sorts keys by code unit, not by locale', () => {
    expect(canonicalJson({ b: 1, B: 2, á: 3, a: 4 })).toBe('{"B":2,"a":4,"b":1,"á":3}');
  });
});

describe('envelope signatures', () => {
  it('matches the independent vector', () => {
    expect(signEnvelope(body, KEY)).toBe('c83e76c995974e7bb8edc66e09bb3747e6f062c5b65b14c5a7172d45db47677d');
  });

  it('signs only payload and wrapper, independent of key order', () => {
    const reordered = { wrapper: body.wrapper, payload: body.payload, signature: 'ignored' };
    expect(signEnvelope(reordered, KEY)).toBe(signEnvelope(body, KEY));
  });

  it('verifies what it signed and refuses tampering', () => {
    const key = randomBytes(32).toString('base64url');
    const signature = signEnvelope(body, key);
    expect(verifyEnvelope({ ...body, signature }, key)).toBe(true);
    const payload = { ...body.payload, data: { ...body.payload.data, z: false } };
    expect(verifyEnvelope({ ...body, payload, signature }, key)).toBe(false);
    expect(verifyEnvelope({ ...body, wrapper: { ...body.wrapper, source: 'evil' }, signature }, key)).toBe(false);
    expect(verifyEnvelope({ ...body, signature }, randomBytes(32).toString('base64url'))).toBe(false);
    expect(verifyEnvelope({ ...body, signature: signature.toUpperCase() }, key)).toBe(false);
    expect(verifyEnvelope({ ...body, signature: signature.slice(2) }, key)).toBe(false);
  });

  it('refuses delivery keys that are not 32 base64url bytes', () => {
    expect(decodeDeliveryKey(KEY)).toHaveLength(32);
    expect(() => signEnvelope(body, randomBytes(16).toString('base64url'))).toThrow(RangeError);
    expect(() => signEnvelope(body, `${KEY}!`)).toThrow(RangeError);
    expect(() => signEnvelope(body, Buffer.alloc(32, 0xff).toString('base64'))).toThrow(RangeError);
    expect(() => signEnvelope(body, `${KEY}=`)).not.toThrow();
  });
});

describe('HTTP delivery signatures', () => {
  const t = 1_700_000_000_000;

  it('matches the independent vector', () => {
    expect(signHttpDelivery(t, '{"a":1}', KEY)).toBe('2de65ea659b6298da49ee1776aac0233a170be908d39fae855d38fffc5c29f98');
  });

  it('verifies within five minutes and refuses tampering or stale timestamps', () => {
    const header = `sha256=${signHttpDelivery(t, '{"a":1}', KEY)}`;
    expect(verifyHttpDelivery(t, '{"a":1}', header, KEY, t + 299_000)).toBe(true);
    expect(verifyHttpDelivery(t, '{"a":2}', header, KEY, t)).toBe(false);
    expect(verifyHttpDelivery(t + 1, '{"a":1}', header, KEY, t)).toBe(false);
    expect(verifyHttpDelivery(t, '{"a":1}', header, KEY, t + 301_000)).toBe(false);
    expect(verifyHttpDelivery(t, '{"a":1}', header.slice('sha256='.length), KEY, t)).toBe(false);
  });
});
