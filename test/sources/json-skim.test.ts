import { describe, expect, it } from 'vitest';
import { skimObject, SkimError, type SkimSpec } from '../../src/sources/json-skim.js';

function pick(value: unknown, spec: SkimSpec): unknown {
  const out: Record<string, unknown> = {};
  for (const [k, want] of Object.entries(spec)) {
    const v = (value as Record<string, unknown>)[k];
    if (v === undefined) continue;
    out[k] = want !== true && typeof v === 'object' && v !== null && !Array.isArray(v) ? pick(v, want) : v;
  }
  return out;
}

function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

function randomValue(r: () => number, depth: number): unknown {
  const x = r();
  if (depth > 3 || x < 0.3) return ['plain', 'quote " inside', 'back\\slash\\', 'tab\tnew\nline', 'é ü 中', '{"usage":1}'][Math.floor(r() * 6)];
  if (x < 0.45) return Math.floor(r() * 1e6) * (r() < 0.2 ? -1 : 1) + (r() < 0.2 ? 0.25 : 0);
  if (x < 0.55) return [true, false, null][Math.floor(r() * 3)];
  if (x < 0.75) return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
  const o: Record<string, unknown> = {};
  for (const k of ['usage', 'model', 'id', 'content', 'x']) if (r() < 0.5) o[k] = randomValue(r, depth + 1);
  return o;
}

describe('skimObject', () => {
  const spec: SkimSpec = { model: true, id: true, usage: { input_tokens: true, output_tokens: true } };

  it('agrees with JSON.parse on what it keeps, for random documents', () => {
    const r = rng(7);
    for (let i = 0; i < 2000; i++) {
      const doc: Record<string, unknown> = { content: randomValue(r, 0), model: randomValue(r, 2), id: 'msg_' + i };
      if (r() < 0.7) doc.usage = { input_tokens: Math.floor(r() * 1000), output_tokens: 5, extra: randomValue(r, 1) };
      else doc.usage = randomValue(r, 1);
      const text = r() < 0.5 ? JSON.stringify(doc) : JSON.stringify(doc, null, 1);
      expect(skimObject(text, spec)).toEqual(pick(JSON.parse(text), spec));
    }
  });

  it('keeps the last of duplicate keys, as JSON.parse does', () => {
    expect(skimObject('{"model":"a","model":"b"}', spec)).toEqual({ model: 'b' });
  });

  it('rejects truncated or malformed text', () => {
    for (const bad of ['{"model":"a"', '{"content":[1,2,{"x":"y"]', '{"model" "a"}', '{"a":1}}', '{"content":"unterminated}', '{"a":tru}']) {
      expect(() => skimObject(bad, spec), bad).toThrow(SkimError);
    }
  });

  it('reads escaped strings exactly', () => {
    const text = JSON.stringify({ model: 'a"b\\c\u00e9\n', id: '\u2028' });
    expect(skimObject(text, spec)).toEqual({ model: 'a"b\\c\u00e9\n', id: '\u2028' });
  });
});
