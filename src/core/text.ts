// Text that leaves tokenmeter for a person: error messages that quote what they found, and names (models, projects,
// sessions) that came from logs and telemetry, which anyone can write anything into.

/** A value as a message quotes it: JSON, cut to `max` characters (a bad value may be megabytes of a prompt). */
export function quoteValue(v: unknown, max = 80): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length <= max ? s : `${s.slice(0, max)}… (${s.length} characters)`;
}

/**
 * Control characters (C0, DEL, C1) and the Unicode controls that reorder or hide text (bidi overrides and isolates,
 * zero-width marks), which a terminal obeys: a model named "\e[2J" must not clear the user's screen.
 */
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** A name made safe to print: each control character shown as its escape (\x1b, \u202e). */
export function printable(s: string): string {
  return s.replace(UNPRINTABLE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
