import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Envelope signatures (§3.1 "Delivered envelope"). Receivers recompute the HMAC in any language,
 * so the signed bytes are a canonical JSON text: keys sorted at every depth, no whitespace, and
 * strings, numbers and literals written exactly as `JSON.stringify` writes them.
 */

export interface EnvelopeBody {
  payload: unknown;
  wrapper: unknown;
}

export interface SignedEnvelope extends EnvelopeBody {
  signature: string;
}

const DELIVERY_KEY_BYTES = 32;
const HEX_SIGNATURE = /^[0-9a-f]{64}$/;

/**
 * Follows `JSON.stringify` in everything but key order: `toJSON` is honoured (dates become ISO
 * strings), `undefined` and functions are left out of objects and become `null` in arrays, and
 * non-finite numbers become `null`. Keys sort by UTF-16 code units, the order `Array.sort` gives,
 * which any receiver can reproduce without locale rules.
 */
export function canonicalJson(value: unknown): string {
  const text = write(value);
  if (text === undefined) throw new TypeError('value has no JSON representation');
  return text;
}

function write(input: unknown): string | undefined {
  const value = hasToJson(input) ? input.toJSON() : input;
  if (value === null || typeof value !== 'object') return JSON.stringify(value) as string | undefined;
  if (Array.isArray(value)) return `[${value.map((item) => write(item) ?? 'null').join(',')}]`;
  const members: string[] = [];
  for (const key of Object.keys(value).sort()) {
    const member = write((value as Record<string, unknown>)[key]);
    if (member !== undefined) members.push(`${JSON.stringify(key)}:${member}`);
  }
  return `{${members.join(',')}}`;
}

function hasToJson(value: unknown): value is { toJSON: () => unknown } {
  return value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function';
}

/** The HMAC key: the 32 bytes a base64url delivery key decodes to; anything else is a caller bug. */
export function decodeDeliveryKey(deliveryKey: string): Buffer {
  const key = Buffer.from(deliveryKey, 'base64url');
  if (key.length !== DELIVERY_KEY_BYTES || key.toString('base64url') !== deliveryKey.replace(/=+$/, '')) {
    throw new RangeError(`a delivery key is base64url of ${DELIVERY_KEY_BYTES} bytes`);
  }
  return key;
}

function hmacHex(deliveryKey: string, text: string): string {
  return createHmac('sha256', decodeDeliveryKey(deliveryKey)).update(text, 'utf8').digest('hex');
}

function sameHex(expected: string, actual: string): boolean {
  if (!HEX_SIGNATURE.test(actual)) return false;
  return timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(actual, 'hex'));
}

/** HMAC-SHA256 (hex) of the canonical `{payload, wrapper}`, keyed for the receiving node. */
export function signEnvelope(body: EnvelopeBody, deliveryKey: string): string {
  return hmacHex(deliveryKey, canonicalJson({ payload: body.payload, wrapper: body.wrapper }));
}

export function verifyEnvelope(envelope: SignedEnvelope, deliveryKey: string): boolean {
  return sameHex(signEnvelope(envelope, deliveryKey), envelope.signature);
}

/** The `X-Symbia-Signature` value is `sha256=` followed by this. */
export function signHttpDelivery(timestampMs: number, body: string, deliveryKey: string): string {
  return hmacHex(deliveryKey, `${timestampMs}.${body}`);
}

/** Receivers refuse deliveries whose timestamp is more than 5 minutes from their clock. */
export const HTTP_DELIVERY_TOLERANCE_MS = 5 * 60 * 1000;

export function verifyHttpDelivery(
  timestampMs: number,
  body: string,
  signatureHeader: string,
  deliveryKey: string,
  now: number = Date.now(),
): boolean {
  if (!Number.isSafeInteger(timestampMs) || Math.abs(now - timestampMs) > HTTP_DELIVERY_TOLERANCE_MS) return false;
  if (!signatureHeader.startsWith('sha256=')) return false;
  return sameHex(signHttpDelivery(timestampMs, body, deliveryKey), signatureHeader.slice('sha256='.length));
}
