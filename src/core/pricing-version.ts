// Which prices the stored costs were computed with. The build writes the price database's version in, so checking it
// does not load the database itself.
declare const __GENAI_PRICES_VERSION__: string | undefined;

/** Bump when the pricing rules in pricing.ts change, so stored costs are recomputed. Kept here, apart from the price
 * database, so that checking it is cheap. */
export const PRICING_RULES_VERSION = 1;

/** `configKey`: the user's own prices and aliases (priceConfigKey), when they have any. */
export function pricingVersion(configKey = ''): string {
  const db = typeof __GENAI_PRICES_VERSION__ === 'string' ? __GENAI_PRICES_VERSION__ : 'dev';
  return `genai-prices@${db}/rules@${PRICING_RULES_VERSION}${configKey ? `/config@${configKey}` : ''}`;
}
