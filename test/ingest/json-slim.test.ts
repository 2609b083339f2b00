import { describe, expect, it } from 'vitest';
import { withoutBulk } from '../../src/ingest/json-slim.js';

const keys = (...names: string[]) => names.map((n) => Buffer.from(`"${n}":`));
const slim = (doc: string, ...names: string[]) => withoutBulk(Buffer.from(doc), keys(...names)).toString();

describe('withoutBulk', () => {
  it('empties the string values of the keys given, compact or indented, and keeps the rest as it was', () => {
    const doc = { id: 'T-1', messages: [{ role: 'assistant', content: [{ type: 'text', text: 'a long answer' }], usage: { input: 5, text: 3 } }] };
    for (const json of [JSON.stringify(doc), JSON.stringify(doc, null, 2)]) {
      const out = JSON.parse(slim(json, 'text'));
      expect(out.messages[0].content[0].text).toBe('');
      // A value that is not a string stays: only text is cut.
      expect(out.messages[0].usage).toEqual({ input: 5, text: 3 });
      expect({ ...out, messages: [] }).toEqual({ ...doc, messages: [] });
    }
  });

  it('finds the end of a value past escaped quotes and runs of backslashes', () => {
    const text = 'say \\"hi\\" and \\\\ then \\\\\\" done';
    const doc = `{"text":"${text}","after":"kept \\" here","n":1}`;
    expect(JSON.parse(doc).text).toContain('"hi"');
    expect(JSON.parse(slim(doc, 'text'))).toEqual({ text: '', after: 'kept " here', n: 1 });
  });

  it('never takes a key-like text inside a string for a key', () => {
    const doc = JSON.stringify({ note: 'he wrote "text":"x" here', text: 'bulk' });
    expect(JSON.parse(slim(doc, 'text'))).toEqual({ note: 'he wrote "text":"x" here', text: '' });
  });

  it('returns a document that ends inside a cut string whole, for the parser to reject', () => {
    const cut = '{"id":1,"text":"never clos';
    expect(slim(cut, 'text')).toBe(cut);
    expect(slim('{"id":1}', 'text')).toBe('{"id":1}');
  });

  it('cuts several keys in document order', () => {
    const doc = JSON.stringify({ a: 'x'.repeat(50), b: [{ c: 'y'.repeat(40), a: 'z' }], c: 'w' });
    expect(JSON.parse(slim(doc, 'c', 'a'))).toEqual({ a: '', b: [{ c: '', a: '' }], c: '' });
  });
});
