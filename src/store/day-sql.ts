// The local day of a rollup bucket in SQL both stores understand (integer arithmetic only).
import { QUARTER_HOUR_MS, type OffsetSegment } from '../core/time.js';

/** SQL for the local day number of a rollup bucket, the zone's offsets inlined as a CASE over bucket ranges. */
export function localDayExpression(offsets: OffsetSegment[]): string {
  const q = (ms: number) => Math.round(ms / QUARTER_HOUR_MS);
  const day = (offsetMs: number) => `((bucket + ${q(offsetMs)}) * ${QUARTER_HOUR_MS}) / 86400000`;
  if (offsets.length === 1) return day(offsets[0]!.offsetMs);
  const cases = offsets.slice(1).map((seg, i) => `WHEN bucket < ${q(seg.from)} THEN ${day(offsets[i]!.offsetMs)}`);
  return `CASE ${cases.join(' ')} ELSE ${day(offsets[offsets.length - 1]!.offsetMs)} END`;
}
