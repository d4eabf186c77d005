/** The digest page's overview: one call over the day's written papers, cached by its exact messages. */
import type { Cache } from '../cache/cache.js';
import { usageError } from '../errors.js';
import type { Llm } from '../llm/llm-client.js';
import { paperList, type DigestEntry } from '../render/digest-page.js';
import { sanitizeModelMarkdown } from '../render/sanitize.js';
import { renderString, templateSet, type Template } from '../templates/template.js';

/** The day's own templates (`overview`, `listing`, `rank`), checked for their kind before any request. */
export async function dayTemplate(
  templateDir: string | undefined,
  kind: 'overview' | 'listing' | 'rank',
): Promise<Template> {
  const tpl = await templateSet(templateDir).get(kind);
  if (tpl.kind !== kind) throw usageError(`template ${tpl.file}: the ${kind} template must have kind: ${kind}`);
  return tpl;
}

export interface OverviewRequest {
  tpl: Template;
  entries: DigestEntry[];
  date: string;
  categories: string[];
  llm: Llm;
  cache: Cache;
  signal: AbortSignal;
}

export async function writeOverview({
  tpl,
  entries,
  date,
  categories,
  llm,
  cache,
  signal,
}: OverviewRequest): Promise<string> {
  const vars = { date, categories: categories.join(', '), paper_list: paperList(entries) };
  const where = `${tpl.name} (${tpl.file})`;
  const messages = [
    ...(tpl.system ? [{ role: 'system' as const, content: renderString(tpl.system, vars, where) }] : []),
    { role: 'user' as const, content: renderString(tpl.user, vars, where) },
  ];
  const key = {
    v: 1,
    kind: 'overview',
    hash: tpl.hash,
    model: llm.facts.model,
    endpoint: llm.facts.endpoint,
    messages,
  };
  const hit = await cache.get<{ text: string }>('overview', key);
  if (hit) return hit.text;
  const res = await llm.complete({
    messages,
    ...(tpl.temperature !== undefined ? { temperature: tpl.temperature } : {}),
    ...(tpl.maxTokens !== undefined ? { maxTokens: tpl.maxTokens } : {}),
    requireChinese: tpl.requireChinese,
    signal,
  });
  const text = sanitizeModelMarkdown(res.text).replace(/^##\s/gm, '### ');
  await cache.set('overview', key, { text });
  return text;
}
