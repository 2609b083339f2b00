// Reads chosen members of a JSON object without materializing the rest. A log line that carries usage is mostly
// content (thinking, text, tool input); skipping that content by jumping from quote to quote costs a fraction of
// JSON.parse, which would build every string. Members that are read are handed to JSON.parse, so what is kept is
// validated exactly as JSON.parse would; what is skipped must at least be balanced and well delimited.

export class SkimError extends Error {}

const STRUCTURAL = /["{}[\]]/g;
const PRIMITIVE = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;

function ws(s: string, i: number): number {
  for (;;) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 10 || c === 13 || c === 9) i++;
    else return i;
  }
}

/** `i` at an opening quote; returns the index just past the closing one. */
function skipString(s: string, i: number): number {
  let j = i + 1;
  for (;;) {
    const q = s.indexOf('"', j);
    if (q < 0) throw new SkimError('unterminated string');
    let b = q - 1;
    while (s.charCodeAt(b) === 92) b--;
    if ((q - 1 - b) % 2 === 0) return q + 1;
    j = q + 1;
  }
}

/** `i` at the first character of a value; returns the index just past it. */
export function skipValue(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c === 34) return skipString(s, i);
  if (c === 123 || c === 91) {
    let depth = 1;
    STRUCTURAL.lastIndex = i + 1;
    for (;;) {
      const m = STRUCTURAL.exec(s);
      if (!m) throw new SkimError('unbalanced brackets');
      const ch = s.charCodeAt(m.index);
      if (ch === 34) {
        STRUCTURAL.lastIndex = skipString(s, m.index);
      } else if (ch === 123 || ch === 91) {
        depth++;
      } else if (--depth === 0) {
        return m.index + 1;
      }
    }
  }
  PRIMITIVE.lastIndex = i;
  if (!PRIMITIVE.test(s)) throw new SkimError(`unexpected character at ${i}`);
  return PRIMITIVE.lastIndex;
}

/**
 * Walks the members of the object starting at `start` (its `{`). For each member, `onMember` gets the index of the
 * key's opening quote, the index past its closing quote, and the index of the value; it returns the index past the
 * value when it consumed it, or undefined to have it skipped. Returns the index past the closing brace.
 */
export function walkObject(
  s: string,
  start: number,
  onMember: (keyAt: number, keyEnd: number, valueAt: number) => number | undefined,
): number {
  let i = ws(s, start);
  if (s.charCodeAt(i) !== 123) throw new SkimError('expected an object');
  i = ws(s, i + 1);
  if (s.charCodeAt(i) === 125) return i + 1;
  for (;;) {
    if (s.charCodeAt(i) !== 34) throw new SkimError(`expected a key at ${i}`);
    const keyEnd = skipString(s, i);
    const keyAt = i;
    i = ws(s, keyEnd);
    if (s.charCodeAt(i) !== 58) throw new SkimError(`expected ':' at ${i}`);
    const valueAt = ws(s, i + 1);
    i = ws(s, onMember(keyAt, keyEnd, valueAt) ?? skipValue(s, valueAt));
    const c = s.charCodeAt(i);
    if (c === 125) return i + 1;
    if (c !== 44) throw new SkimError(`expected ',' or '}' at ${i}`);
    i = ws(s, i + 1);
  }
}

/** Which members to read: `true` reads the value whole, a nested spec skims an object value the same way. */
export interface SkimSpec {
  [key: string]: true | SkimSpec;
}

let valueEnd = 0;
let latin1 = false;
const HIGH = /[\x80-\xff]/;

/** Text read as latin1 back to what its bytes say in UTF-8. */
export function fromLatin1(s: string): string {
  return HIGH.test(s) ? Buffer.from(s, 'latin1').toString('utf8') : s;
}

/**
 * The value at `i`, leaving the index past it in `valueEnd`. Strings without escapes and numbers are read directly;
 * anything else goes through JSON.parse, which validates it.
 */
function readValue(s: string, i: number): unknown {
  const c = s.charCodeAt(i);
  if (c === 34) {
    const end = skipString(s, i);
    valueEnd = end;
    let raw = s.slice(i + 1, end - 1);
    if (latin1) raw = fromLatin1(raw);
    return raw.includes('\\') ? JSON.parse(`"${raw}"`) : raw;
  }
  if (c === 45 || (c >= 48 && c <= 57) || c === 116 || c === 102 || c === 110) {
    PRIMITIVE.lastIndex = i;
    if (!PRIMITIVE.test(s)) throw new SkimError(`unexpected character at ${i}`);
    valueEnd = PRIMITIVE.lastIndex;
    return c === 116 ? true : c === 102 ? false : c === 110 ? null : Number(s.slice(i, valueEnd));
  }
  const end = skipValue(s, i);
  valueEnd = end;
  const text = s.slice(i, end);
  return JSON.parse(latin1 ? fromLatin1(text) : text);
}

/** Spec entries as parallel arrays: keys are compared in place, without slicing every key out of the text. */
interface CompiledSpec {
  keys: string[];
  wants: Array<true | CompiledSpec>;
}
const compiled = new WeakMap<SkimSpec, CompiledSpec>();

function compile(spec: SkimSpec): CompiledSpec {
  let c = compiled.get(spec);
  if (!c) {
    const entries = Object.entries(spec);
    // Keys with escapes never match: none of the wanted keys need one.
    c = { keys: entries.map(([k]) => k), wants: entries.map(([, v]) => (v === true ? true : compile(v))) };
    compiled.set(spec, c);
  }
  return c;
}

function match(s: string, keyAt: number, keyEnd: number, spec: CompiledSpec): number {
  const len = keyEnd - keyAt - 2;
  for (let k = 0; k < spec.keys.length; k++) {
    const key = spec.keys[k]!;
    if (key.length === len && s.startsWith(key, keyAt + 1)) return k;
  }
  return -1;
}

function skimAt(s: string, at: number, spec: CompiledSpec, out: Record<string, unknown>): number {
  return walkObject(s, at, (keyAt, keyEnd, valueAt) => {
    const k = match(s, keyAt, keyEnd, spec);
    if (k < 0) return undefined;
    const key = spec.keys[k]!;
    const want = spec.wants[k]!;
    if (want !== true && s.charCodeAt(valueAt) === 123) {
      const sub: Record<string, unknown> = {};
      const end = skimAt(s, valueAt, want, sub);
      out[key] = sub;
      return end;
    }
    out[key] = readValue(s, valueAt);
    return valueEnd;
  });
}

/**
 * Reads the text as one object, keeping only the members `spec` names. With `fromLatin1Text`, `s` holds UTF-8 bytes
 * read as latin1 (one character per byte), and the values kept are decoded.
 */
export function skimObject(s: string, spec: SkimSpec, fromLatin1Text = false): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  latin1 = fromLatin1Text;
  const end = skimAt(s, 0, compile(spec), out);
  if (ws(s, end) !== s.length) throw new SkimError('trailing characters after the object');
  return out;
}
