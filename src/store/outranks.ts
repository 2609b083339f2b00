// Both stores rank copies of one request in SQL exactly as core's shouldReplace does in code.

/** SQL for "copy `a` outranks copy `b`": core's shouldReplace (main chain, more tokens, fast mode, a known project). */
export function outranksSql(a: string, b: string): string {
  const total = (t: string) => `(${t}.input + ${t}.output + ${t}.cache_read + ${t}.cache_write_5m + ${t}.cache_write_1h)`;
  return `${a}.is_sidechain < ${b}.is_sidechain
    OR (${a}.is_sidechain = ${b}.is_sidechain AND (${total(a)} > ${total(b)}
      OR (${total(a)} = ${total(b)} AND (${b}.speed <> 'fast' AND ${a}.speed = 'fast'
        OR ${a}.speed = ${b}.speed AND ${b}.project = '' AND ${a}.project <> ''))))`;
}
