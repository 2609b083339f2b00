export interface Totals {
  requests: number;
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  totalTokens: number;
}
export function generateHistory(
  root: string,
  opts: { targetBytes: number; seed?: number; endTime?: number; days?: number },
): { bytes: number; files: number; totals: Totals; byDay: Record<string, Totals>; byModel: Record<string, Totals> };
export function appendTurns(file: string, cwd: string, sessionId: string, bytes: number, seed?: number, startTs?: number): Totals;
/** A seeded random number generator (mulberry32): the same seed, the same numbers in [0, 1). */
export function rng(seed: number): () => number;
