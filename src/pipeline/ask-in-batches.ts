/**
 * Many papers per call: the day's listing in Chinese and the model's ranking both send ~20 papers at a
 * time, cache each paper's part of the answer on its own, and ask again for the papers an answer left out
 * (once more together, then one by one) instead of dropping them.
 */
import type { Paper } from '../arxiv/paper.js';
import type { Cache } from '../cache/cache.js';
import { DigestError, errorMessage } from '../errors.js';
import type { Llm } from '../llm/llm-client.js';
import { renderString, type Template } from '../templates/template.js';
import type { Logger } from '../ui/logger.js';

export const PAPERS_PER_CALL = 20;

export interface BatchRun {
  tpl: Template;
  llm: Llm;
  cache: Cache;
  signal: AbortSignal;
  /** The run's shared limit on calls in flight. */
  limit: <T>(fn: () => Promise<T>) => Promise<T>;
  logger: Logger;
  batchSize?: number;
}

export interface BatchJob<T> {
  /** Cache namespace and the word used in messages ("listing", "ranking"). */
  kind: string;
  /** What else the answer depends on besides the paper, template and model (the interests, say). */
  keyExtra?: unknown;
  /** Template variables besides {{papers}}. */
  vars?: Record<string, string>;
  /** Each paper's part of one answer, by paper id. */
  parse: (answer: string, ids: string[]) => Map<string, T>;
  /** What happens to a paper no answer covers, for the warning. */
  otherwise: string;
}

/** The papers of one call as the model sees them: numbered, with id, English title and abstract. */
export function batchText(batch: Paper[]): string {
  return batch
    .map((p, i) => `[${i + 1}] arXiv:${p.id}\n标题：${p.title}\n摘要：${p.abstract.replace(/\s+/g, ' ')}`)
    .join('\n\n');
}

/** The messages of one call (also what --dry-run counts). */
export function batchMessages(tpl: Template, batch: Paper[], vars: Record<string, string> = {}) {
  const all = { ...vars, papers: batchText(batch) };
  const where = `${tpl.name} (${tpl.file})`;
  return [
    ...(tpl.system ? [{ role: 'system' as const, content: renderString(tpl.system, all, where) }] : []),
    { role: 'user' as const, content: renderString(tpl.user, all, where) },
  ];
}

export function inBatches<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

export async function askInBatches<T>(papers: Paper[], job: BatchJob<T>, o: BatchRun): Promise<Map<string, T>> {
  const out = new Map<string, T>();
  const keyOf = (p: Paper) => ({
    v: 1,
    kind: job.kind,
    paper: `${p.id}v${p.version}`,
    hash: o.tpl.hash,
    model: o.llm.facts.model,
    endpoint: o.llm.facts.endpoint,
    ...(job.keyExtra !== undefined ? { extra: job.keyExtra } : {}),
  });
  const todo: Paper[] = [];
  for (const p of papers) {
    const hit = await o.cache.get<T>(job.kind, keyOf(p));
    if (hit !== undefined) out.set(p.id, hit);
    else todo.push(p);
  }

  const askOnce = async (batch: Paper[]) => {
    const res = await o.llm.complete({
      messages: batchMessages(o.tpl, batch, job.vars),
      ...(o.tpl.temperature !== undefined ? { temperature: o.tpl.temperature } : {}),
      ...(o.tpl.maxTokens !== undefined ? { maxTokens: o.tpl.maxTokens } : {}),
      // the answer is JSON around the Chinese (or numbers); each part is checked by the parser instead
      requireChinese: false,
      signal: o.signal,
      cache: o.cache,
    });
    return job.parse(
      res.text,
      batch.map((p) => p.id),
    );
  };

  const ask = async (batch: Paper[], tries: number): Promise<void> => {
    let found = new Map<string, T>();
    try {
      found = await o.limit(() => askOnce(batch));
    } catch (err) {
      if (o.signal.aborted || (err instanceof DigestError && err.fatal)) throw err;
      o.logger.warn(`${job.kind} of ${batch.length} paper(s): ${errorMessage(err)}`);
    }
    for (const [id, part] of found) {
      const p = batch.find((x) => x.id === id);
      if (!p) continue;
      out.set(id, part);
      await o.cache.set(job.kind, keyOf(p), part);
    }
    const missing = batch.filter((p) => !found.has(p.id));
    if (missing.length === 0) return;
    if (tries === 0) {
      o.logger.warn(`${job.kind}: no answer for ${missing.map((p) => p.id).join(', ')}; ${job.otherwise}`);
      return;
    }
    o.logger.verbose(`${job.kind}: the answer left out ${missing.length} of ${batch.length}; asking for them again`);
    // once more together, then one by one
    if (missing.length > 1 && tries > 1) await ask(missing, tries - 1);
    else await Promise.all(missing.map((p) => ask([p], 0)));
  };
  await Promise.all(inBatches(todo, o.batchSize ?? PAPERS_PER_CALL).map((b) => ask(b, 2)));
  return out;
}
