/**
 * Policy `glob` matching: `*` is any run of characters (including none), `?` exactly one character.
 * Characters are Unicode code points, so `?` never splits a surrogate pair. Without a `?` the
 * pattern is compared by UTF-16 code units, which gives the same answer (a literal matches the
 * same units either way and `*` spans anything), and lets the anchors use native comparisons.
 *
 * Patterns come from tenants, so no regular expression is ever built from them and the work is
 * linear in the subject. The pattern is split on `*` into segments. Without a star the subject must
 * have the segment's length and match it position by position. Otherwise the first segment is
 * anchored at the start, the last at the end, and each middle segment is found at its leftmost
 * occurrence after the previous one. Taking the leftmost occurrence is safe: any match that places
 * a segment further right leaves no more room for the segments after it.
 *
 * Why it is linear: the middle segments are searched over consecutive, non-overlapping ranges of
 * the subject (each search starts where the previous match ended), so every subject character is
 * read by at most one search. A search is a Shift-And automaton over the segment, whose state is
 * ⌈k/32⌉ 32-bit words for a segment of k code points; `?` is a bit set in every character's mask,
 * so wildcards cost nothing extra and there is no backtracking. The anchored segments are compared
 * once. Total: O(n·⌈m/32⌉ + m) for a subject of n and a pattern of m ≤ 256 code points, i.e. at most
 * 8 word operations per subject character, against O(n·m) for the two-pointer algorithm that
 * backtracks to the last star.
 */

const WORD_BITS = 32;

interface Segment {
  text: string;
  /** Code points when the pattern has a `?`, else code units. */
  chars: string[];
  literal: boolean;
  words: number;
  /** Mask per character of the segment; characters absent from the map use `wildcard`. */
  masks: Map<string, Uint32Array>;
  wildcard: Uint32Array;
}

function compileSegment(text: string, byCodePoint: boolean): Segment {
  const chars = byCodePoint ? Array.from(text) : text.split('');
  const words = Math.max(1, Math.ceil(chars.length / WORD_BITS));
  const wildcard = new Uint32Array(words);
  chars.forEach((c, i) => {
    if (c === '?') wildcard[i >>> 5]! |= 1 << (i & 31);
  });
  const masks = new Map<string, Uint32Array>();
  chars.forEach((c, i) => {
    if (c === '?') return;
    let mask = masks.get(c);
    if (!mask) {
      mask = Uint32Array.from(wildcard);
      masks.set(c, mask);
    }
    mask[i >>> 5]! |= 1 << (i & 31);
  });
  return { text, chars, literal: !text.includes('?'), words, masks, wildcard };
}

/** Indexable text: a string when its code units are code points, else an array of code points. */
type Chars = ArrayLike<string>;

const SURROGATE = /[\uD800-\uDFFF]/;

function matchesAt(segment: Segment, subject: Chars, at: number): boolean {
  if (segment.literal && typeof subject === 'string') return subject.startsWith(segment.text, at);
  const { chars } = segment;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c !== '?' && c !== subject[at + i]) return false;
  }
  return true;
}

/** End index (exclusive) of the leftmost occurrence of `segment` inside subject[from, to), or -1. */
function findLeftmost(segment: Segment, subject: Chars, from: number, to: number): number {
  const k = segment.chars.length;
  if (k === 0) return from;
  const state = new Uint32Array(segment.words);
  const lastWord = (k - 1) >>> 5;
  const lastBit = 1 << ((k - 1) & 31);
  for (let i = from; i < to; i++) {
    const mask = segment.masks.get(subject[i]!) ?? segment.wildcard;
    // Shift the whole bit vector left by one, feeding a 1 in so a match may start here.
    for (let w = segment.words - 1; w >= 0; w--) {
      const carry = w === 0 ? 1 : state[w - 1]! >>> 31;
      state[w] = ((state[w]! << 1) | carry) & mask[w]!;
    }
    if (state[lastWord]! & lastBit) return i + 1;
  }
  return -1;
}

/**
 * A matcher for the glob `pattern` (case-sensitive, whole string). Policies compile their patterns
 * once per snapshot, so the per-event cost is the scan alone.
 */
export function compileGlob(pattern: string): (subject: string) => boolean {
  const byCodePoint = pattern.includes('?');
  const segments = pattern.split('*').map((text) => compileSegment(text, byCodePoint));
  return (subject) => {
    const chars: Chars = byCodePoint && SURROGATE.test(subject) ? Array.from(subject) : subject;
    return matchSegments(segments, chars);
  };
}

export function globMatch(pattern: string, subject: string): boolean {
  return compileGlob(pattern)(subject);
}

function matchSegments(segments: Segment[], chars: Chars): boolean {
  const first = segments[0]!;
  if (segments.length === 1) return chars.length === first.chars.length && matchesAt(first, chars, 0);
  const last = segments[segments.length - 1]!;
  const end = chars.length - last.chars.length;
  if (end < first.chars.length) return false;
  if (!matchesAt(first, chars, 0) || !matchesAt(last, chars, end)) return false;
  let pos = first.chars.length;
  for (let s = 1; s < segments.length - 1; s++) {
    const found = findLeftmost(segments[s]!, chars, pos, end);
    if (found < 0) return false;
    pos = found;
  }
  return true;
}
