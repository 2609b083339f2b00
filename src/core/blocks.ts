// 5-hour usage windows as ccusage draws them: a block starts at the hour of its first request; a request more than
// 5 hours after the block's start, or after the previous request, opens a new block; the time between is a gap;
// a block is active while its last request is less than 5 hours old and its end is still ahead.
import { addCounts, emptyCounts, totalTokens, type TokenCounts } from './event.js';

export const BLOCK_MS = 5 * 3600_000;
const HOUR_MS = 3600_000;

export interface BlockEntry extends TokenCounts {
  ts: number;
  model: string;
  cost: number;
}

export interface Block {
  id: string;
  start: number;
  /** start + 5 h */
  end: number;
  /** Times of the first and last request (null for a gap). */
  firstTs: number | null;
  actualEnd: number | null;
  isActive: boolean;
  isGap: boolean;
  entries: number;
  tokens: TokenCounts;
  totalTokens: number;
  cost: number;
  models: string[];
}

export interface BurnRate {
  tokensPerMinute: number;
  costPerHour: number;
}

export interface Projection {
  totalTokens: number;
  totalCost: number;
  remainingMinutes: number;
}

function newBlock(start: number): Block {
  return {
    id: new Date(start).toISOString(), start, end: start + BLOCK_MS, firstTs: null, actualEnd: null, isActive: false, isGap: false,
    entries: 0, tokens: emptyCounts(),
    totalTokens: 0, cost: 0, models: [],
  };
}

/** Entries must be sorted by time. */
export function buildBlocks(entries: BlockEntry[], now: number): Block[] {
  const blocks: Block[] = [];
  let current: Block | undefined;
  for (const e of entries) {
    if (!current || e.ts - current.start > BLOCK_MS || e.ts - current.actualEnd! > BLOCK_MS) {
      // A pause longer than a block: the time from the end of the last request's window to the next request.
      if (current && e.ts - current.actualEnd! > BLOCK_MS) {
        const gap = newBlock(current.actualEnd! + BLOCK_MS);
        gap.isGap = true;
        gap.id = `gap-${gap.id}`;
        gap.end = e.ts;
        blocks.push(gap);
      }
      current = newBlock(Math.floor(e.ts / HOUR_MS) * HOUR_MS);
      blocks.push(current);
    }
    current.entries++;
    current.firstTs ??= e.ts;
    current.actualEnd = e.ts;
    addCounts(current.tokens, e);
    current.cost += e.cost;
    if (!current.models.includes(e.model)) current.models.push(e.model);
  }
  // A block starts at the hour of its first request, which may come before the end of the gap that led to it: in
  // time order, as ccusage lists them.
  blocks.sort((a, b) => a.start - b.start);
  for (const b of blocks) {
    b.totalTokens = totalTokens(b.tokens);
    if (!b.isGap && b.actualEnd !== null) b.isActive = now - b.actualEnd < BLOCK_MS && now < b.end;
  }
  return blocks;
}

/** Tokens per minute and dollars per hour between a block's first and last request. */
export function burnRate(block: Block): BurnRate | null {
  if (block.isGap || block.actualEnd === null || block.entries < 2) return null;
  const minutes = (block.actualEnd - (block.firstTs ?? block.start)) / 60_000;
  if (minutes <= 0) return null;
  return { tokensPerMinute: block.totalTokens / minutes, costPerHour: (block.cost / minutes) * 60 };
}

export function project(block: Block, rate: BurnRate | null, now: number): Projection | null {
  if (!block.isActive || !rate) return null;
  const remainingMinutes = Math.max((block.end - now) / 60_000, 0);
  return {
    totalTokens: Math.round(block.totalTokens + rate.tokensPerMinute * remainingMinutes),
    totalCost: block.cost + (rate.costPerHour / 60) * remainingMinutes,
    remainingMinutes: Math.round(remainingMinutes),
  };
}
