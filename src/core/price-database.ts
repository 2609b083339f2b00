// The price database: @pydantic/genai-prices, a maintained, versioned database that ships its data inside the package
// (offline by default), knows 1-hour cache writes, long-context tiers and dated price changes, and covers Anthropic,
// OpenAI and Google alike. Its calcPrice costs ~25 µs a call and its module ~40 ms to load, so it is asked once per
// model and day, and only when a price is not already known (see PriceBook).
import { calcPrice } from '@pydantic/genai-prices';
import type { PriceLookup, Rate } from './pricing.js';

const providerHints: Array<[RegExp, string]> = [
  [/^claude/, 'anthropic'],
  [/^(gpt|o\d|codex|chatgpt|text-embedding)/, 'openai'],
  [/^gemini/, 'google'],
];

export const lookupPrice: PriceLookup = (model, at) => {
  const providerId = providerHints.find(([re]) => re.test(model))?.[1];
  const usage = { input_tokens: 1, output_tokens: 1 };
  const found = calcPrice(usage, model, providerId ? { providerId, timestamp: at } : { timestamp: at })
    ?? (providerId ? calcPrice(usage, model, { timestamp: at }) : null);
  if (!found) return null;
  // Tiered prices are class instances in the database; plain objects keep them storable as JSON.
  const prices = JSON.parse(JSON.stringify(found.model_price)) as Record<string, Rate>;
  return { modelId: found.model.id, prices, fastIncluded: false };
};
