// Log lines are read as latin1 (one character per byte; far cheaper than decoding UTF-8); values kept from them are
// turned back into what their bytes say in UTF-8.
/** A character a UTF-8 byte beyond ASCII was read as. */
export const HIGH = /[\x80-\xff]/;

export function fromLatin1(s: string): string {
  return HIGH.test(s) ? Buffer.from(s, 'latin1').toString('utf8') : s;
}
