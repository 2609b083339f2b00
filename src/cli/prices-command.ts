// tokenmeter prices [MODEL]: the price a model is charged at and where it comes from (the user's own price, an alias,
// the price database), or, without a model, the models in the index that have no price.
import { existsSync } from 'node:fs';
import { normalizeModelName, PriceBook, priceSource, type Rate } from '../core/pricing.js';
import { pricingVersion } from '../core/pricing-version.js';
import { priceConfig, priceLookup } from '../ingest/price-config.js';
import { indexPath } from './home.js';
import { printable } from '../core/text.js';

const usd = (r: Rate): string => {
  if (r === undefined) return '';
  if (typeof r === 'number') return `$${r}`;
  return `$${r.base} (${r.tiers.map((t) => `$${t.price} above ${t.start.toLocaleString('en-US')} tokens`).join(', ')})`;
};

export async function runPrices(model: string | undefined, flags: { json?: boolean }): Promise<number> {
  if (model) {
    const book = new PriceBook(await priceLookup());
    const price = book.resolve(model, Date.now());
    const name = normalizeModelName(model);
    const alias = Object.entries(priceConfig().aliases).find(([from]) => normalizeModelName(from) === name)?.[1];
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ model, alias: alias ?? null, source: price ? priceSource(price) : null, prices: price?.prices ?? null }, null, 2)}\n`);
      return price ? 0 : 1;
    }
    if (!price) {
      process.stdout.write(`no price known for ${printable(model)}${alias ? ` (an alias of ${printable(alias)})` : ''}: add one to "prices" in the config, or an alias to a priced model in "aliases"\n`);
      return 1;
    }
    const p = price.prices;
    const kinds: Array<[string, Rate, string]> = [
      ['input', p.input_mtok, ''], ['output (reasoning included)', p.output_mtok, ''],
      ['cache read', p.cache_read_mtok, '0.1 × input'], ['cache write (5 min)', p.cache_write_mtok, '1.25 × input'], ['cache write (1 hour)', p.cache_write_1h_mtok, '2 × input'],
    ];
    const from = price.modelId.startsWith('override:') ? priceSource(price) : `${priceSource(price)} (${pricingVersion().split('/')[0]})`;
    const lines = [`${printable(model)}${alias ? ` (an alias of ${printable(alias)})` : ''}: ${from}, USD per million tokens`];
    for (const [kind, rate, fallback] of kinds) lines.push(`  ${kind.padEnd(28)} ${rate !== undefined ? usd(rate) : `(none given: ${fallback})`}`);
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  }
  const version = pricingVersion();
  const path = indexPath();
  const unpriced = existsSync(path) ? await (async () => {
    const { SqliteStore } = await import('../store/sqlite.js');
    const store = new SqliteStore(path);
    try {
      return await store.unpricedModels();
    } finally {
      await store.close();
    }
  })() : [];
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ database: version, own: priceConfig(), unpriced }, null, 2)}\n`);
    return 0;
  }
  const own = Object.keys(priceConfig().prices).length + Object.keys(priceConfig().aliases).length;
  const lines = [`prices: ${version}${own ? `, with ${own} of your own prices and aliases first` : ''}`];
  lines.push(unpriced.length ? 'models in the index without a price (their cost shows "?"):' : 'every model in the index has a price');
  for (const u of unpriced) lines.push(`  ${printable(u.model)} (${u.requests.toLocaleString('en-US')} requests)`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
