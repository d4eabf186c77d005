/** One paper through its templates: the answers (from the cache or the model, with follow-ups) assembled into a post. */
import type { Paper } from '../arxiv/paper.js';
import type { Cache } from '../cache/cache.js';
import { DigestError } from '../errors.js';
import { abstractOnly } from '../fulltext/get-text.js';
import type { Figure, PaperText } from '../fulltext/types.js';
import type { ChatMessage, Llm, LlmFacts, LlmResult, Usage } from '../llm/llm-client.js';
import { OrderedSink, type SinkPart } from '../output/ordered-sink.js';
import { unverifiedFigures } from '../render/fact-check.js';
import { cleanTitle, parsePost } from '../render/parse-output.js';
import { cleanSingleAnswer, parseQa, type QaPair } from '../render/parse-qa.js';
import { headerBlock, type PostResult, type Section } from '../render/post.js';
import { flattenHeadings, sanitizeModelMarkdown } from '../render/sanitize.js';
import type { Template } from '../templates/template.js';
import { buildMessages, keyFigure, qaMode, type Built } from './messages.js';
import type { TextAccess } from './paper-text.js';

export interface ComposeDeps extends TextAccess {
  llm: Llm;
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
  verbose: (msg: string) => void;
}

interface CachedAnswer {
  text: string;
  source?: PaperText['source'];
  /** qa: one answer per question, after any follow-ups. */
  pairs?: QaPair[];
  /** post: the title, from the answer or from a follow-up. */
  titleZh?: string;
  figure?: Figure;
}

interface Answer {
  tpl: Template;
  text: string;
  pairs?: QaPair[];
  titleZh?: string;
  source: PaperText['source'];
}

export async function composePost(paper: Paper, templates: Template[], deps: ComposeDeps, live?: SinkPart): Promise<PostResult> {
  const key = `${paper.id}v${paper.version}`;
  // the full text (cached per id+version, a missing one too, for a day) decides each answer's cache key
  let full: PaperText | undefined;
  if (templates.some((t) => deps.sourceFor(t) === 'full')) {
    deps.onStage?.('reading the full text');
    full = await deps.getText(paper);
  }
  const textFor = (tpl: Template) => (deps.sourceFor(tpl) === 'full' && full ? full : abstractOnly(paper));
  const cacheKeyOf = (tpl: Template) => {
    const source = textFor(tpl).source;
    return llmCacheKey(paper, tpl, deps.llm.facts, { source, mode: qaMode(tpl, source), contextTokens: deps.contextTokens });
  };
  const hits = await Promise.all(templates.map((t) => deps.cache.get<CachedAnswer>('llm', cacheKeyOf(t))));
  const figure = keyFigure(full);
  const liveSink = live ? new OrderedSink((s) => live.write(s), templates.length) : undefined;
  if (live) live.write(`${headerBlock(paper)}\n`);
  const usage: Usage = { promptTokens: 0, completionTokens: 0, cachedTokens: 0 };
  let cachedCalls = 0;
  /** Requests answered from the cache of paid answers, and follow-ups actually sent. */
  let keptAnswers = 0;
  let followUps = 0;

  const call = async (tpl: Template, messages: ChatMessage[], part: SinkPart | undefined, followUp = false, requireChinese = tpl.requireChinese): Promise<LlmResult> => {
    const stop = deps.stopped();
    if (stop) throw new DigestError('llm', `not started: ${stop}`);
    try {
      const res = await deps.llm.complete({
        messages,
        ...(tpl.temperature !== undefined ? { temperature: tpl.temperature } : {}),
        ...(tpl.maxTokens !== undefined ? { maxTokens: tpl.maxTokens } : {}),
        requireChinese,
        signal: deps.signal,
        cache: deps.cache,
        followUp,
        ...(part ? { onDelta: (t: string) => part.write(t), onRetry: () => part.write('\n\n> （上一次输出不完整，正在重新生成）\n\n') } : {}),
      });
      if (res.cached) keptAnswers++;
      else {
        usage.promptTokens += res.usage.promptTokens;
        usage.completionTokens += res.usage.completionTokens;
        usage.cachedTokens += res.usage.cachedTokens;
        if (followUp) followUps++;
      }
      return res;
    } catch (err) {
      if (err instanceof DigestError && err.fatal) deps.stop(err);
      throw err;
    }
  };

  /** Full text: one question per request, in one conversation (system → paper → q1, a1, q2 …). */
  const askOneByOne = async (tpl: Template, built: Built, part: SinkPart | undefined) => {
    const conversation = [...built.messages];
    const pairs: QaPair[] = [];
    for (const [n, q] of built.questions!.entries()) {
      deps.onStage?.(`question ${n + 1}/${built.questions!.length}`);
      part?.write(`### ${tpl.questions[n]}\n\n`);
      conversation.push(q);
      const res = await call(tpl, [...conversation], part);
      conversation.push({ role: 'assistant', content: res.text });
      pairs.push({ question: tpl.questions[n]!, answer: tidyAnswer(cleanSingleAnswer(res.text, tpl.questions[n]!)) });
      part?.write('\n\n');
    }
    return { text: pairs.map((p, n) => `### ${n + 1}. ${p.question}\n\n${p.answer}`).join('\n\n'), pairs };
  };

  /**
   * All questions in one answer, in whatever shape the model chose. The answers found are kept; each
   * missing one is asked alone on the same prefix (system → paper → the answer so far), so the
   * provider's prompt cache still applies. Fails only when a question still has no answer.
   */
  const completeQa = async (tpl: Template, built: Built, text: string, part: SinkPart | undefined) => {
    const answers = parseQa(text, tpl.questions).answers;
    const missing = tpl.questions.flatMap((_, n) => (answers[n] === undefined ? [n] : []));
    if (missing.length) deps.verbose(`${key} ${tpl.name}: no answer found for question ${missing.map((n) => n + 1).join(', ')}; asking ${missing.length === 1 ? 'it' : 'them'} alone`);
    const prefix: ChatMessage[] = [...built.messages, { role: 'assistant', content: text }];
    for (const n of missing) {
      deps.onStage?.(`follow-up: question ${n + 1}`);
      part?.write(`\n\n### ${tpl.questions[n]}\n\n`);
      const res = await call(tpl, [...prefix, built.ask(n)], part, true).catch((err: unknown) => {
        // name the question that stays unanswered; a fatal error (key, money) stays as it is
        if (!(err instanceof DigestError) || err.fatal) throw err;
        throw new DigestError(err.code, `${tpl.name}: no answer to question ${n + 1} (${tpl.questions[n]}): ${err.message}`, err.hint ? { hint: err.hint } : {});
      });
      const answer = cleanSingleAnswer(res.text, tpl.questions[n]!);
      if (!answer.trim()) throw new DigestError('llm', `${tpl.name}: no answer to question ${n + 1} (${tpl.questions[n]}), even when asked alone`);
      answers[n] = answer;
    }
    const pairs = tpl.questions.map((q, n) => ({ question: q, answer: tidyAnswer(answers[n]!) }));
    return { text, pairs };
  };

  /** The post's title, or one asked for in a short follow-up when the answer has none ('' if that fails too). */
  const titleOf = async (tpl: Template, built: Built, text: string): Promise<string> => {
    const found = parsePost(text).titleZh;
    if (found) return found;
    deps.verbose(`${key} ${tpl.name}: the answer has no title; asking for one`);
    deps.onStage?.('follow-up: title');
    // a title may rightly be mostly English names ("GPT-4o 的…"): asked for one CJK character, not a share
    const res = await call(tpl, [...built.messages, { role: 'assistant', content: text }, built.askTitle()], undefined, true, false);
    const line = parsePost(res.text).titleZh || res.text.split('\n').find((l) => l.trim()) || '';
    const title = cleanTitle(line.replace(/^#+\s*/, '')).slice(0, 160);
    return !tpl.requireChinese || /[\u3400-\u9fff]/.test(title) ? title : '';
  };

  const runTemplate = async (tpl: Template, i: number): Promise<Answer> => {
    const part = liveSink?.part(i);
    const hit = hits[i];
    if (hit) {
      cachedCalls++;
      part?.write(hit.text);
      part?.end();
      return { tpl, text: hit.text, ...(hit.pairs ? { pairs: hit.pairs } : {}), ...(hit.titleZh !== undefined ? { titleZh: hit.titleZh } : {}), source: hit.source ?? 'abstract' };
    }
    const text = textFor(tpl);
    const mode = qaMode(tpl, text.source);
    const cacheKey = cacheKeyOf(tpl);
    if (part && tpl.kind !== 'post') part.write(`## ${tpl.heading}\n\n`); // a post streams its own "# title"
    try {
      for (let shrink = 1; ; shrink *= 0.6) {
        const built = buildMessages(paper, tpl, { text, contextTokens: deps.contextTokens, shrink, ...(tpl.kind === 'post' && figure ? { figure } : {}), mode });
        if (built.budget) {
          const b = built.budget;
          deps.verbose(`${key} ${tpl.name}: ${built.source} text ${b.textTokens} tokens, budget ${b.budget}${b.cuts.length ? `; cut ${b.cuts.join(', ')}` : '; nothing cut'}`);
        }
        try {
          const answer = await deps.limit(async (): Promise<Answer> => {
            deps.onStage?.(`writing ${tpl.name}`);
            if (built.questions) return { tpl, ...(await askOneByOne(tpl, built, part)), source: built.source };
            const res = await call(tpl, built.messages, part);
            if (tpl.kind === 'qa') return { tpl, ...(await completeQa(tpl, built, res.text, part)), source: built.source };
            if (tpl.kind === 'post') return { tpl, text: res.text, titleZh: await titleOf(tpl, built, res.text), source: built.source };
            return { tpl, text: res.text, source: built.source };
          });
          const entry: CachedAnswer = {
            text: answer.text,
            source: answer.source,
            ...(answer.pairs ? { pairs: answer.pairs } : {}),
            ...(answer.titleZh !== undefined ? { titleZh: answer.titleZh } : {}),
            ...(tpl.kind === 'post' && figure ? { figure } : {}),
          };
          await deps.cache.set('llm', cacheKey, entry);
          return answer;
        } catch (err) {
          // a "context too long" answer: shrink the text budget and try once more
          if (err instanceof DigestError && err.code === 'context' && built.source !== 'abstract' && shrink === 1) {
            deps.verbose(`${key} ${tpl.name}: the provider said the prompt is too long; retrying with a smaller budget`);
            continue;
          }
          throw err;
        }
      }
    } finally {
      part?.write('\n\n');
      part?.end();
    }
  };

  const settled = await Promise.allSettled(templates.map((tpl, i) => runTemplate(tpl, i)));
  const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
  const outputs = settled.map((r) => (r as PromiseFulfilledResult<Answer>).value);
  return assemble(paper, templates, outputs, { figure, full, usage, cachedCalls: cachedCalls + keptAnswers, followUps, deps });
}

function assemble(paper: Paper, templates: Template[], outputs: Answer[], o: { figure: Figure | undefined; full: PaperText | undefined; usage: Usage; cachedCalls: number; followUps: number; deps: ComposeDeps }): PostResult {
  let titleZh = '';
  let lede = '';
  let explainer: PostResult['explainer'];
  let qa: PostResult['qa'];
  let figure: PostResult['figure'];
  const sections: Section[] = [];
  for (const { tpl, text, pairs, titleZh: asked } of outputs) {
    if (tpl.kind === 'post') {
      const p = parsePost(text);
      titleZh = asked || p.titleZh;
      lede = p.lede;
      explainer = { heading: tpl.heading, body: p.body };
      if (o.figure) figure = { src: o.figure.src, caption: p.figureCaption || o.figure.caption, captionEn: o.figure.caption };
    } else if (tpl.kind === 'qa') {
      if (!pairs) throw new DigestError('llm', `${tpl.name}: the answer does not have one part per question`);
      qa = { heading: tpl.heading, pairs };
    } else {
      sections.push({ name: tpl.name, heading: tpl.heading, body: sanitizeModelMarkdown(text) });
    }
  }
  const order: PaperText['source'][] = ['html', 'ar5iv', 'pdf', 'abstract'];
  const used = outputs.map((x) => x.source).sort((a, b) => order.indexOf(a) - order.indexOf(b))[0] ?? 'abstract';
  const source = [paper.title, paper.abstract, paper.comment, paper.journalRef, ...(o.full?.sections.map((x) => x.text) ?? [])].join('\n');
  const written = [titleZh, explainer?.body ?? '', ...(qa?.pairs.map((p) => p.answer) ?? []), ...sections.map((x) => x.body)].join('\n');
  return {
    paper,
    titleZh,
    unverifiedFigures: unverifiedFigures(written, source),
    summary: lede || fallbackSummary(qa?.pairs.at(-1)?.answer ?? explainer?.body ?? ''),
    explainer,
    qa,
    sections,
    figure,
    templates: templates.map((t, i) => ({ name: t.name, hash: t.hash, source: outputs[i]!.source })),
    model: o.deps.llm.facts.model,
    provider: o.deps.llm.facts.provider,
    source: used,
    usage: o.usage,
    cachedCalls: o.cachedCalls,
    followUps: o.followUps,
    generatedAt: o.deps.now,
    generator: o.deps.generator,
  };
}

/** What determines a template's answer for a paper: never the key, always the prompt's content hash. */
export function llmCacheKey(paper: Paper, tpl: Template, llm: LlmFacts, extra: { source: PaperText['source']; mode: string; contextTokens: number }): unknown {
  return { v: 3, paper: `${paper.id}v${paper.version}`, template: tpl.name, hash: tpl.hash, model: llm.model, endpoint: llm.endpoint, extra: llm.extraBody, ...extra };
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

function tidyAnswer(md: string): string {
  return flattenHeadings(sanitizeModelMarkdown(md));
}
