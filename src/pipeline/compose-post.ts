/** One paper through its templates: the answers (from the cache or the model, with follow-ups) assembled into a post. */
import type { Paper } from '../arxiv/paper.js';
import { DigestError } from '../errors.js';
import { abstractOnly } from '../fulltext/get-text.js';
import type { Figure, PaperText } from '../fulltext/types.js';
import type { LlmFacts, Usage } from '../llm/llm-client.js';
import { OrderedSink, type SinkPart } from '../output/ordered-sink.js';
import { givenText, markClaims, unverifiedClaims, type Unverified } from '../check/facts.js';
import { checkTerms } from '../check/terms.js';
import { citeFigures, type Cited } from '../check/cite.js';
import { parsePost } from '../render/parse-output.js';
import { headerBlock, type PostResult, type Section } from '../render/post.js';
import { sanitizeModelMarkdown } from '../render/sanitize.js';
import type { Template } from '../templates/template.js';
import { TemplateAsker, type Answer, type AskDeps } from './ask-template.js';
import { keyFigure, promptWriting, qaMode, type PromptWriting } from './messages.js';
import type { TextAccess } from './paper-text.js';
import { ownString, ownStrings } from '../own-strings.js';

export interface ComposeDeps extends AskDeps, TextAccess {
  generator: string;
  now: Date;
}

/** What is cached per paper and template: the answer, and the figure the post was written with. */
interface CachedAnswer extends Partial<Answer> {
  text: string;
  figure?: Figure;
}

type Assembled = Answer & { tpl: Template };

export async function composePost(
  paper: Paper,
  templates: Template[],
  deps: ComposeDeps,
  live?: SinkPart,
): Promise<PostResult> {
  // the full text (cached per id+version, a confirmed absence too, for a day) decides each answer's cache key
  let full: PaperText | undefined;
  if (templates.some((t) => deps.sourceFor(t) === 'full')) {
    deps.onStage?.('reading the full text');
    full = await deps.getText(paper);
  }
  const textFor = (tpl: Template) => (deps.sourceFor(tpl) === 'full' && full ? full : abstractOnly(paper));
  const writing = promptWriting(paper, deps.writing);
  const cacheKeyOf = (tpl: Template) => {
    const source = textFor(tpl).source;
    return llmCacheKey(paper, tpl, deps.llm.facts, {
      source,
      // --batch asks one-by-one questions independently: another answer than the conversation's
      mode: `${qaMode(tpl, source)}${deps.independentQuestions && qaMode(tpl, source) === 'one-by-one' ? '-independent' : ''}`,
      contextTokens: deps.contextTokens,
      ...writingKey(writing),
    });
  };
  const hits = await Promise.all(templates.map((t) => deps.cache.get<CachedAnswer>('llm', cacheKeyOf(t))));
  const figure = keyFigure(full);
  const liveSink = live ? new OrderedSink((s) => live.write(s), templates.length) : undefined;
  if (live) live.write(`${headerBlock(paper)}\n`);
  const asker = new TemplateAsker(paper, deps);

  const runTemplate = async (tpl: Template, i: number): Promise<Assembled> => {
    const part = liveSink?.part(i);
    const hit = hits[i];
    if (hit) {
      part?.write(hit.text);
      part?.end();
      return {
        tpl,
        text: hit.text,
        ...(hit.pairs ? { pairs: hit.pairs } : {}),
        ...(hit.titleZh !== undefined ? { titleZh: hit.titleZh } : {}),
        ...(hit.problems?.length ? { problems: hit.problems } : {}),
        source: hit.source ?? 'abstract',
      };
    }
    if (part && tpl.kind !== 'post') part.write(`## ${tpl.heading}\n\n`); // a post streams its own "# title"
    try {
      const answer = await asker.answer(tpl, textFor(tpl), figure, part, writing);
      const entry: CachedAnswer = { ...answer, ...(tpl.kind === 'post' && figure ? { figure } : {}) };
      await deps.cache.set('llm', cacheKeyOf(tpl), entry);
      return { tpl, ...answer };
    } finally {
      part?.write('\n\n');
      part?.end();
    }
  };

  const settled = await Promise.allSettled(templates.map((tpl, i) => runTemplate(tpl, i)));
  const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
  const outputs = settled.map((r) => (r as PromiseFulfilledResult<Assembled>).value);
  const { usage, keptAnswers, followUps } = asker.tally;
  const cachedCalls = hits.filter(Boolean).length + keptAnswers;
  return assemble(paper, templates, outputs, { figure, full, usage, cachedCalls, followUps, deps });
}

function assemble(
  paper: Paper,
  templates: Template[],
  outputs: Assembled[],
  o: {
    figure: Figure | undefined;
    full: PaperText | undefined;
    usage: Usage;
    cachedCalls: number;
    followUps: number;
    deps: ComposeDeps;
  },
): PostResult {
  let titleZh = '';
  let lede = '';
  let explainer: PostResult['explainer'];
  let qa: PostResult['qa'];
  let figure: PostResult['figure'];
  const sections: Section[] = [];
  const unverified: Unverified[] = [];
  const given = { abstract: givenText(paper, undefined), full: givenText(paper, o.full) };
  const check = (written: string, tpl: Template, source: PaperText['source']) => {
    for (const c of unverifiedClaims(written, source === 'abstract' ? given.abstract : given.full, tpl.name))
      if (!unverified.some((u) => u.claim === c.claim)) unverified.push(c);
  };
  for (const { tpl, text, pairs, titleZh: asked, source } of outputs) {
    if (tpl.kind === 'post') {
      const p = parsePost(text);
      titleZh = asked || p.titleZh;
      lede = p.lede;
      explainer = { heading: tpl.heading, body: p.body };
      check([titleZh, lede, p.body].join('\n'), tpl, source);
      if (o.figure)
        figure = { src: o.figure.src, caption: p.figureCaption || o.figure.caption, captionEn: o.figure.caption };
    } else if (tpl.kind === 'qa') {
      if (!pairs) throw new DigestError('llm', `${tpl.name}: the answer does not have one part per question`);
      qa = { heading: tpl.heading, pairs };
      check(pairs.map((p) => p.answer).join('\n'), tpl, source);
    } else {
      sections.push({ name: tpl.name, heading: tpl.heading, body: sanitizeModelMarkdown(text) });
      check(text, tpl, source);
    }
  }
  const order: PaperText['source'][] = ['html', 'ar5iv', 'pdf', 'abstract'];
  const used = outputs.map((x) => x.source).sort((a, b) => order.indexOf(a) - order.indexOf(b))[0] ?? 'abstract';
  const writing = o.deps.writing;
  const paperTerms = promptWriting(paper, writing)?.terms ?? [];
  const lang = writing?.lang ?? 'zh-CN';
  const terms = checkTerms(
    [
      titleZh,
      lede,
      explainer?.body ?? '',
      ...(qa?.pairs.map((p) => p.answer) ?? []),
      ...sections.map((s) => s.body),
    ].join('\n'),
    paperTerms,
    lang,
  );
  if (unverified.length && writing?.strict === 'fail')
    throw new DigestError(
      'llm',
      `not written (--strict=fail): ${unverified.map((u) => u.claim).join(', ')} not found in the text the model was given (the answers are cached; run without --strict=fail to write it with them flagged)`,
    );
  // with full text: where each figure stands in the paper, shown as （§4.2，表3） with --cite
  const cited: Cited[] = [];
  if (o.full && o.full.source !== 'abstract') {
    const full = o.full;
    const cite = (s: string) => {
      const r = citeFigures(s, full, writing?.cite === true);
      for (const c of r.cited) if (!cited.some((x) => x.figure === c.figure)) cited.push(c);
      return r.text;
    };
    const fromFull = (kind: string) => outputs.some((x) => x.tpl.kind === kind && x.source !== 'abstract');
    if (explainer && fromFull('post')) explainer = { ...explainer, body: cite(explainer.body) };
    if (qa && fromFull('qa')) qa = { ...qa, pairs: qa.pairs.map((p) => ({ ...p, answer: cite(p.answer) })) };
    for (const s of sections)
      if (outputs.some((x) => x.tpl.name === s.name && x.source !== 'abstract')) s.body = cite(s.body);
  }
  if (unverified.length && writing?.strict === 'mark') {
    // what is still unsupported after the model was asked to fix it is marked where the reader sees it
    const claims = unverified.map((u) => u.claim);
    const mark = (s: string) => markClaims(s, claims);
    titleZh = mark(titleZh);
    lede = mark(lede);
    if (explainer) explainer = { ...explainer, body: mark(explainer.body) };
    if (qa) qa = { ...qa, pairs: qa.pairs.map((p) => ({ ...p, answer: mark(p.answer) })) };
    for (const s of sections) s.body = mark(s.body);
  }
  // what the day's page and report keep of the post after it is written has strings of its own: a title
  // cut out of the answer would keep the whole answer in memory until the end of the run
  return {
    paper,
    titleZh: ownString(titleZh),
    lang,
    paperTerms,
    terms: ownStrings(terms.findings),
    termUsage: ownStrings(terms.usage),
    ...(cited.length ? { cited: ownStrings(cited) } : {}),
    unverified: ownStrings(unverified),
    problems: ownStrings(outputs.flatMap((x) => (x.problems ?? []).map((p) => `${x.tpl.name}: ${p}`))),
    summary: ownString(lede || fallbackSummary(qa?.pairs.at(-1)?.answer ?? explainer?.body ?? '')),
    explainer,
    qa,
    sections,
    figure: ownStrings(figure),
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
export function llmCacheKey(
  paper: Paper,
  tpl: Template,
  llm: LlmFacts,
  extra: { source: PaperText['source']; mode: string; contextTokens: number; lang?: string; glossary?: string },
): unknown {
  return {
    v: 3,
    paper: `${paper.id}v${paper.version}`,
    template: tpl.name,
    hash: tpl.hash,
    model: llm.model,
    endpoint: llm.endpoint,
    extra: llm.extraBody,
    ...extra,
  };
}

/** What the prompt adds for the variant and the glossary, in the answer's cache key (nothing for the defaults). */
export function writingKey(w: PromptWriting | undefined): { lang?: string; glossary?: string } {
  return {
    ...(w && w.lang !== 'zh-CN' ? { lang: w.lang } : {}),
    ...(w?.glossary ? { glossary: w.glossary } : {}),
  };
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
