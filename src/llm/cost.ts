/** Token estimates and a dated price table (USD per million tokens; the config file's `prices` override it). */
import { own } from '../own.js';
import type { Usage } from './llm-client.js';

export interface Price {
  /** US dollars per million tokens. */
  input: number;
  output: number;
  cachedInput?: number;
  /** The provider's Batch API price (about half), for --batch. */
  batch?: { input: number; output: number };
}

/** As of 2026-11 (see the README); the config file can override or add models. */
export const PRICES: Record<string, Price> = {
  'gpt-4o-mini': { input: 0.15, cachedInput: 0.075, output: 0.6, batch: { input: 0.075, output: 0.3 } },
  'gpt-4.1-mini': { input: 0.4, cachedInput: 0.1, output: 1.6, batch: { input: 0.2, output: 0.8 } },
  'gpt-5-mini': { input: 0.25, cachedInput: 0.025, output: 2.0, batch: { input: 0.125, output: 1.0 } },
  'deepseek-v4-flash': { input: 0.14, cachedInput: 0.0028, output: 0.28 },
  'deepseek-v4-pro': { input: 0.435, cachedInput: 0.003625, output: 0.87 },
  'kimi-k2.6': { input: 0.95, cachedInput: 0.16, output: 4.0 },
  'qwen-plus': { input: 0.4, output: 1.2, batch: { input: 0.2, output: 0.6 } },
};

export function priceOf(model: string, overrides: Record<string, Price>): Price | undefined {
  return own(overrides, model) ?? own(PRICES, model) ?? own(PRICES, model.replace(/^.*\//, ''));
}

/** The price a --batch run pays: the model's batch price where the table has one, else the normal one. */
export function batchPrice(price: Price | undefined): Price | undefined {
  if (!price?.batch) return price;
  return { input: price.batch.input, output: price.batch.output, cachedInput: price.batch.input };
}

/** Rough token count for planning: Chinese ≈ 0.9 token per character, other text ≈ 4 characters per token. */
export function estimateTokens(text: string): number {
  const cjk = text.match(/[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]/g)?.length ?? 0;
  return Math.ceil(cjk * 0.9 + (text.length - cjk) / 4);
}

export function costOf(u: Usage, price: Price | undefined): number | undefined {
  if (!price) return undefined;
  const cached = Math.min(u.cachedTokens, u.promptTokens);
  return (
    ((u.promptTokens - cached) * price.input +
      cached * (price.cachedInput ?? price.input) +
      u.completionTokens * price.output) /
    1e6
  );
}

export function formatCost(usd: number | undefined): string {
  return usd === undefined
    ? 'unknown (no price for this model; add one under "prices" in digest.config.json)'
    : `$${usd.toFixed(usd < 0.01 ? 4 : 2)}`;
}
