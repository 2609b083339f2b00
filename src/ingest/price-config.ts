// The user's own prices and aliases (config `prices`, `aliases`), set once per process by the command line from the
// config file, and handed to ingest workers: every price lookup of this process goes through them.
import { NO_PRICE_CONFIG, overriddenLookup, priceConfigKey, type PriceConfig, type PriceLookup } from '../core/pricing.js';
import { pricingVersion } from '../core/pricing-version.js';

let current: PriceConfig = NO_PRICE_CONFIG;

export function setPriceConfig(config: PriceConfig): void {
  current = config;
}

export const priceConfig = (): PriceConfig => current;

/** The price database's lookup as this process prices with it. */
export async function priceLookup(): Promise<PriceLookup> {
  return overriddenLookup((await import('../core/price-database.js')).lookupPrice, current);
}

/** What stored costs must have been computed with (the database, the rules, the user's prices). */
export const wantedPricingVersion = (): string => pricingVersion(priceConfigKey(current));
