/** digest daily's pieces: the plan and cost estimate, digest entries, and the overview call. */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { Paper } from '../arxiv/paper.js';
import type { Cache } from '../cache/cache.js';
import type { PaperText } from '../fulltext/types.js';
import { costOf, estimateTokens, formatCost, type priceOf } from '../llm/cost.js';
import type { LlmClient } from '../llm/llm-client.js';
import { paperList, type DigestEntry } from '../render/digest-page.js';
import type { PostResult } from '../render/post.js';
import { sanitizeModelMarkdown } from '../render/sanitize.js';
import { renderString, type Template } from '../templates/template.js';
import type { PaperOutcome } from './batch.js';
import type { TextDeps } from './context.js';
import type { Io } from './fetch.js';
import { qaMode } from './prompt-build.js';
import { buildMessages, llmCacheKey } from './write-paper.js';

export function reportOutcomes(outcomes: PaperOutcome[], papers: Paper[], logger: Io['logger']): void {
  const groups = new Map<string, string[]>();
  outcomes.forEach((o, i) => {
    if (o.status === 'done') return;
    const k = `${o.status}: ${o.reason}`;
    groups.set(k, [...(groups.get(k) ?? []), `${papers[i]!.id}v${papers[i]!.version}`]);
  });
  for (const [reason, ids] of groups) logger.info(`${reason} — ${ids.join(', ')}`);
}

export function entryFromResult(r: PostResult): DigestEntry {
  return {
    id: r.paper.id,
    version: r.paper.version,
    titleZh: r.titleZh,
    titleEn: r.paper.title,
    authors: r.paper.authors.map((a) => a.name),
    summary: r.summary,
    tags: r.paper.categories,
    link: '',
  };
}

export async function entryFromFile(file: string, p: Paper): Promise<DigestEntry | undefined> {
  try {
    const raw = await readFile(file, 'utf8');
    const fm = parseYaml(/^---\n([\s\S]*?)\n---/.exec(raw)?.[1] ?? '') as Record<string, unknown> | null;
    if (!fm || fm['arxiv_id'] !== p.id) return undefined;
    return {
      id: p.id,
      version: Number(fm['arxiv_version'] ?? p.version),
      titleZh: typeof fm['title'] === 'string' ? fm['title'] : '',
      titleEn: p.title,
      authors: p.authors.map((a) => a.name),
      summary: typeof fm['summary'] === 'string' ? fm['summary'] : '',
      tags: p.categories,
      link: '',
    };
  } catch {
    return undefined;
  }
}

export async function writeOverview(tpl: Template, entries: DigestEntry[], date: string, categories: string[], llm: LlmClient, cache: Cache, signal: AbortSignal): Promise<string> {
  const vars = { date, categories: categories.join(', '), paper_list: paperList(entries) };
  const where = `${tpl.name} (${tpl.file})`;
  const messages = [
    ...(tpl.system ? [{ role: 'system' as const, content: renderString(tpl.system, vars, where) }] : []),
    { role: 'user' as const, content: renderString(tpl.user, vars, where) },
  ];
  const key = { v: 1, kind: 'overview', hash: tpl.hash, model: llm.opts.model, endpoint: llm.opts.baseURL, messages };
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

/**
 * Rough per-paper plan without downloading anything: abstract prompts are counted, full-text prompts
 * are assumed to fill their budget (at most 16k tokens); one-by-one Q&A re-sends the paper per question.
 */
export async function estimatePaper(p: Paper, templates: Template[], cache: Cache, llm: LlmClient | undefined, text: TextDeps) {
  let input = 0;
  let output = 0;
  let calls = 0;
  for (const t of templates) {
    const source = text.sourceFor(t);
    const known = source === 'full' ? (await cache.get<{ source: PaperText['source'] }>('fulltext', `${p.id}v${p.version}`))?.source ?? 'html' : 'abstract';
    const mode = qaMode(t, known);
    if (llm && (await cache.get('llm', llmCacheKey(p, t, llm, { source: known, mode, contextTokens: text.contextTokens })))) continue;
    const answer = Math.round(Math.min(t.maxTokens ?? 4096, 4096) * 0.4);
    const base = buildMessages(p, t).messages.reduce((a, m) => a + estimateTokens(m.content) + 4, 3);
    const paperTokens = source === 'full' ? Math.min(16_000, Math.max(0, text.contextTokens - (t.maxTokens ?? 4096) - 2000)) : 0;
    const requests = mode === 'one-by-one' ? t.questions.length : 1;
    calls += requests;
    input += (base + paperTokens) * requests + (requests > 1 ? (answer * requests * (requests - 1)) / 2 : 0);
    output += answer * requests;
  }
  return { input, output, calls };
}

export async function printPlan(papers: Paper[], templates: Template[], date: string, categories: string[], cache: Cache, llm: LlmClient | undefined, model: string, price: ReturnType<typeof priceOf>, out: (s: string) => void, text: TextDeps): Promise<void> {
  out(`# ${date} · ${categories.join(' ')} · ${papers.length} paper(s) (dry run: nothing is written, no LLM call)\n\n`);
  let input = 0;
  let output = 0;
  let calls = 0;
  for (const [i, p] of papers.entries()) {
    out(`${i + 1}. ${p.id}v${p.version}  ${p.title}\n`);
    const e = await estimatePaper(p, templates, cache, llm, text);
    input += e.input;
    output += e.output;
    calls += e.calls;
  }
  const total = costOf({ promptTokens: input, completionTokens: output, cachedTokens: 0 }, price);
  out(`\nestimate: ${calls} LLM call(s) + 1 overview for ${templates.map((t) => t.name).join(', ')}; about ${input} input and ${output} output tokens; cost ${formatCost(total)} with ${model}\n`);
}
