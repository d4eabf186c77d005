/** Turn a paper (and its text) into the messages a template sends, within the model's token budget. */
import { paperLinks, type Paper } from '../arxiv/paper.js';
import { fitToBudget, render, tokens } from '../fulltext/budget.js';
import type { Figure, PaperText } from '../fulltext/types.js';
import type { ChatMessage } from '../llm/llm-client.js';
import { fenceSafe, renderString, type Template } from '../templates/template.js';
import { glossaryBlock, termsIn, type Lang, type Term } from '../templates/glossary.js';
import { LANG_NAME } from '../check/script.js';

export type SourceChoice = 'full' | 'abstract';

/** How the run writes: the Chinese variant, the glossary, what to do with unsupported claims, citations. */
export interface Writing {
  lang: Lang;
  /** The whole glossary (built-in and the user's). */
  terms: Term[];
  strict: 'off' | 'mark' | 'fail';
  cite: boolean;
}

/** What a paper's prompts add: the variant, and the glossary entries the paper's title and abstract use. */
export interface PromptWriting {
  lang: Lang;
  terms: Term[];
  glossary: string;
}

export function promptWriting(paper: Paper, w: Writing | undefined): PromptWriting | undefined {
  if (!w) return undefined;
  const terms = termsIn([paper.title, paper.abstract, paper.comment].join('\n'), w.terms);
  return { lang: w.lang, terms, glossary: glossaryBlock(terms, w.lang) };
}

export function templateVars(
  paper: Paper,
  tpl: Template,
  text?: { source: string; body: string },
): Record<string, string | undefined> {
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
    source: text?.source ?? 'abstract',
    source_text: text && text.source !== 'abstract' ? f(text.body) : `摘要：\n${f(paper.abstract)}`,
    questions: tpl.questions.length ? tpl.questions.map((q, i) => `${i + 1}. ${q}`).join('\n') : undefined,
  };
}

/** The paper's key figure: one the caption calls an overview/framework/architecture, else the first. */
export function keyFigure(text: PaperText | undefined): Figure | undefined {
  const figs = text?.figures ?? [];
  return (
    figs.find((f) => /overview|framework|architecture|pipeline|illustration of|schematic/i.test(f.caption)) ?? figs[0]
  );
}

/** Follow-ups for templates written without them: one missing question, a missing title. */
export const DEFAULT_ASK_ONE = '请依据上面的论文内容，用中文回答第 {{number}} 个问题：{{question}}';
export const DEFAULT_ASK_TITLE =
  '请为上面这篇解读文章拟一个吸引人、但不夸大结论的中文标题，不超过 30 个字。只输出标题本身，不要加引号、序号或任何说明。';

export interface Built {
  /** Messages of the (first) request. */
  messages: ChatMessage[];
  /** qa one-by-one: the question messages, in order. */
  questions: ChatMessage[] | undefined;
  /** The message that asks question i alone (one-by-one, or a follow-up for a missing answer). */
  ask: (i: number) => ChatMessage;
  /** The follow-up that asks for a title alone. */
  askTitle: () => ChatMessage;
  source: PaperText['source'];
  /** Full-text budget report for --verbose. */
  budget?: { textTokens: number; budget: number; cuts: string[] };
}

export interface BuildOptions {
  text?: PaperText;
  /** The model's context window in tokens. */
  contextTokens?: number;
  /** Multiplier on the text budget (0.6 after a "context too long" answer). */
  shrink?: number;
  figure?: Figure;
  mode?: 'one-by-one' | 'all-at-once';
  /** The variant asked for and the glossary list (after the paper, so the cached prefix stays the same). */
  writing?: PromptWriting;
}

export function qaMode(tpl: Template, source: PaperText['source']): 'one-by-one' | 'all-at-once' {
  if (tpl.kind !== 'qa') return 'all-at-once';
  if (tpl.mode) return tpl.mode;
  return source !== 'abstract' && tpl.askOne ? 'one-by-one' : 'all-at-once';
}

/** Messages that ask for another variant: the templates say 简体中文, the reader reads the variant. */
export function inVariant(messages: ChatMessage[], lang: Lang): ChatMessage[] {
  if (lang === 'zh-CN') return messages;
  for (const m of messages) m.content = m.content.split('简体中文').join(LANG_NAME[lang]);
  const last = messages.findLast((m) => m.role === 'user');
  if (last) last.content += `\n\n請全文使用${LANG_NAME[lang]}書寫。`;
  return messages;
}

export function buildMessages(paper: Paper, tpl: Template, o: BuildOptions = {}): Built {
  const where = `${tpl.name} (${tpl.file})`;
  const text = o.text ?? { source: 'abstract' as const, sections: [], figures: [] };
  const mode = o.mode ?? qaMode(tpl, text.source);
  const compose = (body: string) => {
    const vars = templateVars(paper, tpl, { source: text.source, body });
    const messages: ChatMessage[] = [];
    if (tpl.system) messages.push({ role: 'system', content: renderString(tpl.system, vars, where) });
    let user = renderString(tpl.user, vars, where);
    if (tpl.kind === 'qa' && mode === 'all-at-once' && tpl.askAll)
      user += `\n\n${renderString(tpl.askAll, vars, where)}`;
    if (o.figure && tpl.figure)
      user += `\n\n${renderString(tpl.figure, { ...vars, figure_caption: fenceSafe(o.figure.caption) }, where)}`;
    if (o.writing?.glossary) user += `\n\n${o.writing.glossary}`;
    messages.push({ role: 'user', content: user });
    inVariant(messages, o.writing?.lang ?? 'zh-CN');
    const ask = (i: number): ChatMessage => ({
      role: 'user',
      content: renderString(
        tpl.askOne || DEFAULT_ASK_ONE,
        { ...vars, question: tpl.questions[i], number: String(i + 1) },
        where,
      ),
    });
    const askTitle = (): ChatMessage => ({
      role: 'user',
      content: renderString(tpl.askTitle || DEFAULT_ASK_TITLE, vars, where),
    });
    const questions = tpl.kind === 'qa' && mode === 'one-by-one' ? tpl.questions.map((_, i) => ask(i)) : undefined;
    return { messages, questions, ask, askTitle };
  };
  if (text.source === 'abstract') return { ...compose(''), source: 'abstract' };
  // the budget for the paper text: the context minus the answer, the prompt around the text and,
  // one question at a time, the conversation that grows with each answer
  const skeleton = compose('');
  const overhead = [...skeleton.messages, ...(skeleton.questions ?? [])].reduce(
    (n, m) => n + tokens(m.content) + 8,
    16,
  );
  const answer = Math.min(tpl.maxTokens ?? 4096, 8192);
  const conversation = skeleton.questions ? (skeleton.questions.length - 1) * Math.min(answer, 1024) : 0;
  const budget = Math.max(
    200,
    Math.floor(((o.contextTokens ?? 32_768) - answer - overhead - conversation - 256) * (o.shrink ?? 1)),
  );
  // a Q&A that asks about related work keeps that section (trimmed if need be, not dropped first)
  const relatedAsked = tpl.questions.some((q) => /相关(研究|工作|文献)|related work|prior work/i.test(q));
  const fitted = fitToBudget(text.sections, budget, { relatedAsked });
  return {
    ...compose(fitted.text),
    source: text.source,
    budget: { textTokens: tokens(render(text.sections)), budget, cuts: fitted.cuts },
  };
}
