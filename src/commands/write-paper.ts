/** Run a paper through its templates and assemble the post. */
import type { Cache } from '../cache/cache.js';
import type { Paper } from '../arxiv/paper.js';
import { paperLinks } from '../arxiv/paper.js';
import { DigestError } from '../errors.js';
import type { ChatMessage, LlmClient, Usage } from '../llm/llm-client.js';
import { OrderedSink, type SinkPart } from '../output/ordered-sink.js';
import { unverifiedFigures } from '../render/fact-check.js';
import { parsePost, parseQa, qaProblem } from '../render/parse-output.js';
import { headerBlock, type PostResult, type Section } from '../render/post.js';
import { sanitizeModelMarkdown } from '../render/sanitize.js';
import { fenceSafe, renderString, type Template } from '../templates/template.js';

export function templateVars(paper: Paper, tpl: Template): Record<string, string | undefined> {
  const links = paperLinks(paper.id, paper.version);
  const f = (s: string) => fenceSafe(s);
  const affiliations = [...new Set(paper.authors.flatMap((a) => a.affiliations))];
  return {
    id: paper.id,
    version: String(paper.version),
    arxiv_id: `${paper.id}v${paper.version}`,
    title: f(paper.title),
    title_raw: f(paper.rawTitle),
    authors: f(paper.authors.map((a) => a.name).join(', ')),
    first_author: f(paper.authors[0]?.name ?? ''),
    affiliations: f(affiliations.join('; ')),
    abstract: f(paper.abstract),
    published: paper.published.slice(0, 10),
    updated: paper.updated.slice(0, 10),
    primary_category: paper.primaryCategory,
    categories: paper.categories.join(', '),
    comment: f(paper.comment),
    journal_ref: f(paper.journalRef),
    doi: paper.dois.join(' '),
    abs_url: links.abs,
    pdf_url: links.pdf,
    papers_cool_url: links.papersCool,
    source: 'abstract',
    source_text: `摘要：\n${f(paper.abstract)}`,
    questions: tpl.questions.length ? tpl.questions.map((q, i) => `${i + 1}. ${q}`).join('\n') : undefined,
  };
}

export function buildMessages(paper: Paper, tpl: Template): ChatMessage[] {
  const vars = templateVars(paper, tpl);
  const where = `${tpl.name} (${tpl.file})`;
  const messages: ChatMessage[] = [];
  if (tpl.system) messages.push({ role: 'system', content: renderString(tpl.system, vars, where) });
  messages.push({ role: 'user', content: renderString(tpl.user, vars, where) });
  return messages;
}

export interface WriteDeps {
  llm: LlmClient;
  /** Shared limit on LLM calls in flight. */
  limit: <T>(fn: () => Promise<T>) => Promise<T>;
  signal: AbortSignal;
  /** Set when a fatal error stops the run: calls not yet started are skipped. */
  stopped: () => string | undefined;
  /** Called as soon as a call fails in a way that makes every other call pointless. */
  stop: (err: DigestError) => void;
  onStage?: (stage: string) => void;
  cache: Cache;
  generator: string;
  now: Date;
}

export async function writePaper(paper: Paper, templates: Template[], deps: WriteDeps, live?: SinkPart): Promise<PostResult> {
  const liveSink = live ? new OrderedSink((s) => live.write(s), templates.length) : undefined;
  if (live) live.write(`${headerBlock(paper)}\n`);
  const usage: Usage = { promptTokens: 0, completionTokens: 0, cachedTokens: 0 };
  let cachedCalls = 0;
  const settled = await Promise.allSettled(
    templates.map((tpl, i) =>
      deps.limit(async () => {
        const stop = deps.stopped();
        if (stop) throw new DigestError('llm', `not started: ${stop}`);
        deps.onStage?.(`writing ${tpl.name}`);
        const part = liveSink?.part(i);
        const key = llmCacheKey(paper, tpl, deps.llm);
        const hit = await deps.cache.get<{ text: string }>('llm', key);
        if (hit) {
          cachedCalls++;
          part?.write(hit.text);
          part?.end();
          return { tpl, text: hit.text };
        }
        // a post streams its own "# title" line; other kinds get their section heading
        if (part && tpl.kind !== 'post') part.write(`## ${tpl.heading}\n\n`);
        try {
          const res = await deps.llm.complete({
            messages: buildMessages(paper, tpl),
            ...(tpl.temperature !== undefined ? { temperature: tpl.temperature } : {}),
            ...(tpl.maxTokens !== undefined ? { maxTokens: tpl.maxTokens } : {}),
            requireChinese: tpl.requireChinese,
            signal: deps.signal,
            ...(tpl.kind === 'qa' ? { validate: (t: string) => qaProblem(t, tpl.questions) } : {}),
            ...(part
              ? {
                  onDelta: (t: string) => part.write(t),
                  onRetry: () => part.write('\n\n> （上一次输出不完整，正在重新生成）\n\n'),
                }
              : {}),
          });
          usage.promptTokens += res.usage.promptTokens;
          usage.completionTokens += res.usage.completionTokens;
          usage.cachedTokens += res.usage.cachedTokens;
          await deps.cache.set('llm', key, { text: res.text, model: res.model, usage: res.usage });
          return { tpl, text: res.text };
        } catch (err) {
          if (err instanceof DigestError && err.fatal) deps.stop(err);
          throw err;
        } finally {
          part?.write('\n\n');
          part?.end();
        }
      }),
    ),
  );
  const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
  const outputs = settled.map((r) => (r as PromiseFulfilledResult<{ tpl: Template; text: string }>).value);
  let titleZh = '';
  let lede = '';
  let explainer: PostResult['explainer'];
  let qa: PostResult['qa'];
  const sections: Section[] = [];
  for (const { tpl, text } of outputs) {
    if (tpl.kind === 'post') {
      const p = parsePost(text);
      titleZh = p.titleZh;
      lede = p.lede;
      explainer = { heading: tpl.heading, body: p.body };
    } else if (tpl.kind === 'qa') {
      const pairs = parseQa(text, tpl.questions);
      if (!pairs) throw new DigestError('llm', `${tpl.name}: the answer does not have one part per question`);
      qa = { heading: tpl.heading, pairs };
    } else {
      sections.push({ name: tpl.name, heading: tpl.heading, body: sanitizeModelMarkdown(text) });
    }
  }
  const source = [paper.title, paper.abstract, paper.comment, paper.journalRef].join('\n');
  const written = [titleZh, explainer?.body ?? '', ...(qa?.pairs.map((p) => p.answer) ?? []), ...sections.map((x) => x.body)].join('\n');
  return {
    paper,
    titleZh,
    unverifiedFigures: unverifiedFigures(written, source),
    summary: lede || fallbackSummary(qa?.pairs.at(-1)?.answer ?? explainer?.body ?? ''),
    explainer,
    qa,
    sections,
    templates: templates.map((t) => ({ name: t.name, hash: t.hash })),
    model: deps.llm.opts.model,
    provider: deps.llm.opts.preset.name,
    source: 'abstract',
    usage,
    cachedCalls,
    generatedAt: deps.now,
    generator: deps.generator,
  };
}

/** What determines a template's answer for a paper: never the key, always the prompt's content hash. */
export function llmCacheKey(paper: Paper, tpl: Template, llm: LlmClient): unknown {
  const o = llm.opts;
  return { v: 1, paper: `${paper.id}v${paper.version}`, template: tpl.name, hash: tpl.hash, model: o.model, endpoint: o.baseURL, extra: o.preset.extraBody };
}

/** Two sentences of Chinese prose from a longer answer, for listings when there is no lede. */
export function fallbackSummary(md: string): string {
  const prose = md
    .split(/\n{2,}/)
    .map((p) => p.trim())
    .filter((p) => p && !/^([#>*-]|\d+\.)/.test(p))
    .join(' ');
  const sentences = prose.match(/[^。！？]+[。！？]/g) ?? (prose ? [prose] : []);
  return sentences.slice(0, 2).join('').replace(/\s+/g, ' ').trim().slice(0, 300);
}
