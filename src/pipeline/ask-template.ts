/**
 * One template's answer for one paper, from the model: the request (with the shared limit and the fatal
 * stop), the Q&A asked all at once and completed question by question, or one by one on full text, the
 * post's title follow-up, and one retry with less text when the provider says the prompt is too long.
 */
import type { Paper } from '../arxiv/paper.js';
import { DigestError } from '../errors.js';
import type { Figure, PaperText } from '../fulltext/types.js';
import type { Cache } from '../cache/cache.js';
import type { ChatMessage, Llm, LlmResult, Usage } from '../llm/llm-client.js';
import type { SinkPart } from '../output/ordered-sink.js';
import { cleanTitle, parsePost } from '../render/parse-output.js';
import { cleanSingleAnswer, parseQa, type QaPair } from '../render/parse-qa.js';
import { checkMarkdown, fixRequest, postProblems, type Checked } from '../check/answer.js';
import { givenText, unverifiedClaims } from '../check/facts.js';
import { flattenHeadings, sanitizeModelMarkdown } from '../render/sanitize.js';
import type { Template } from '../templates/template.js';
import { Deferred } from './batch-run.js';
import { buildMessages, qaMode, type Built, type PromptWriting, type Writing } from './messages.js';

/** What asking needs: the model, the run's shared limit and stop, the cache of raw answers. */
export interface AskDeps {
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
  contextTokens: number;
  verbose: (msg: string) => void;
  /** How the run writes (--strict makes unsupported claims part of what is sent back to fix). */
  writing?: Writing;
  /** --batch: one-by-one questions each on the paper alone, so they can go out in one batch. */
  independentQuestions?: boolean;
}

/** A template's answer as the post is assembled from it (and as it is cached). */
export interface Answer {
  text: string;
  /** qa: one answer per question, after any follow-ups. */
  pairs?: QaPair[];
  /** post: the title, from the answer or from a follow-up. */
  titleZh?: string;
  source: PaperText['source'];
  /** What was still wrong after the model was asked once to fix it: the post is written as a draft. */
  problems?: string[];
}

/** What one paper's requests cost: tokens of requests sent, answers taken from the raw cache, follow-ups sent. */
export interface PaperTally {
  usage: Usage;
  keptAnswers: number;
  followUps: number;
}

export class TemplateAsker {
  readonly tally: PaperTally = {
    usage: { promptTokens: 0, completionTokens: 0, cachedTokens: 0 },
    keptAnswers: 0,
    followUps: 0,
  };
  private readonly key: string;

  constructor(
    private readonly paper: Paper,
    private readonly deps: AskDeps,
  ) {
    this.key = `${paper.id}v${paper.version}`;
  }

  /** The template's answer on this text; streamed into `part` when there is a live preview. */
  async answer(
    tpl: Template,
    text: PaperText,
    figure: Figure | undefined,
    part: SinkPart | undefined,
    writing?: PromptWriting,
  ): Promise<Answer> {
    const { deps } = this;
    const mode = qaMode(tpl, text.source);
    for (let shrink = 1; ; shrink *= 0.6) {
      const built = buildMessages(this.paper, tpl, {
        text,
        contextTokens: deps.contextTokens,
        shrink,
        ...(tpl.kind === 'post' && figure ? { figure } : {}),
        mode,
        ...(writing ? { writing } : {}),
      });
      if (built.budget) {
        const b = built.budget;
        deps.verbose(
          `${this.key} ${tpl.name}: ${built.source} text ${b.textTokens} tokens, budget ${b.budget}${b.cuts.length ? `; cut ${b.cuts.join(', ')}` : '; nothing cut'}`,
        );
      }
      const given = givenText(this.paper, text.source === 'abstract' ? undefined : text);
      try {
        return await this.ask(tpl, built, part, given);
      } catch (err) {
        // a "context too long" answer: shrink the text budget and try once more
        if (err instanceof DigestError && err.code === 'context' && built.source !== 'abstract' && shrink === 1) {
          deps.verbose(
            `${this.key} ${tpl.name}: the provider said the prompt is too long; retrying with a smaller budget`,
          );
          continue;
        }
        throw err;
      }
    }
  }

  private async ask(tpl: Template, built: Built, part: SinkPart | undefined, given: string): Promise<Answer> {
    this.deps.onStage?.(`writing ${tpl.name}`);
    const source = built.source;
    if (built.questions) return { ...(await this.oneByOne(tpl, built, part)), source };
    const res = await this.call(tpl, built.messages, part);
    // --strict: figures and names the paper does not state are part of what the model is asked to fix
    const strict = this.deps.writing && this.deps.writing.strict !== 'off';
    const inspect = (text: string): Checked => {
      const checked = checkMarkdown(text, tpl);
      const claims = strict
        ? unverifiedClaims(checked.text, given, tpl.name).map(
            (c) => `${UNSUPPORTED}「${c.sentence.slice(0, 60)}」中的 ${c.claim}：请删去，或改成论文给出的数字或名称`,
          )
        : [];
      const own = tpl.kind === 'post' ? postProblems(parsePost(checked.text), tpl) : [];
      return { text: checked.text, problems: [...checked.problems, ...own, ...claims] };
    };
    const revisedAnswer = await this.revised(tpl, built.messages, res.text, inspect);
    const { text, raw } = revisedAnswer;
    // claims left unsupported are marked or refused when the post is assembled, not a reason for a draft
    const problems = revisedAnswer.problems.filter((p) => !p.startsWith(UNSUPPORTED));
    const flagged = problems.length ? { problems } : {};
    if (tpl.kind === 'qa') return { ...(await this.completeQa(tpl, built, text, raw, part)), source, ...flagged };
    if (tpl.kind === 'post') return { text, titleZh: await this.titleOf(tpl, built, text, raw), source, ...flagged };
    return { text, source, ...flagged };
  }

  /**
   * An answer with problems is sent back once with the list of what to fix; the better of the two is
   * kept (never dropped: it was paid for), with whatever problems it still has.
   */
  private async revised(
    tpl: Template,
    messages: ChatMessage[],
    first: string,
    inspect: (text: string) => Checked,
  ): Promise<Checked & { raw: string }> {
    const a = { ...inspect(first), raw: first };
    if (!a.problems.length) return a;
    this.deps.verbose(`${this.key} ${tpl.name}: ${a.problems.join('; ')}; asking for a corrected answer`);
    this.deps.onStage?.('follow-up: corrections');
    let again: string;
    try {
      again = (
        await this.call(
          tpl,
          [...messages, { role: 'assistant', content: first }, { role: 'user', content: fixRequest(a.problems) }],
          undefined,
          true,
        )
      ).text;
    } catch (err) {
      if ((err instanceof DigestError && err.fatal) || err instanceof Deferred) throw err;
      this.deps.verbose(`${this.key} ${tpl.name}: the corrected answer failed (${(err as Error).message})`);
      return a;
    }
    const b = { ...inspect(again), raw: again };
    return b.problems.length < a.problems.length ? b : a;
  }

  /** One request; a fatal failure (key, money) stops the run's other calls. */
  private async call(
    tpl: Template,
    messages: ChatMessage[],
    part: SinkPart | undefined,
    followUp = false,
    requireChinese = tpl.requireChinese,
  ): Promise<LlmResult> {
    const { deps, tally } = this;
    // a slot of --concurrency is held for the request alone, not for the checks and the writing around it;
    // a fatal failure stops the run before its slot goes to the next request, which then is not sent
    const res = await deps.limit(async () => {
      const stop = deps.stopped();
      if (stop) throw new DigestError('llm', `not started: ${stop}`);
      try {
        return await deps.llm.complete({
          messages,
          ...(tpl.temperature !== undefined ? { temperature: tpl.temperature } : {}),
          ...(tpl.maxTokens !== undefined ? { maxTokens: tpl.maxTokens } : {}),
          requireChinese,
          signal: deps.signal,
          cache: deps.cache,
          followUp,
          label: `${this.key} ${tpl.name}`,
          ...(part
            ? {
                onDelta: (t: string) => part.write(t),
                onRetry: () => part.write('\n\n> （上一次输出不完整，正在重新生成）\n\n'),
              }
            : {}),
        });
      } catch (err) {
        if (err instanceof DigestError && err.fatal) deps.stop(err);
        throw err;
      }
    });
    if (res.cached) tally.keptAnswers++;
    else {
      tally.usage.promptTokens += res.usage.promptTokens;
      tally.usage.completionTokens += res.usage.completionTokens;
      tally.usage.cachedTokens += res.usage.cachedTokens;
      if (followUp) tally.followUps++;
    }
    return res;
  }

  /** Full text: one question per request, in one conversation (system → paper → q1, a1, q2 …). */
  private async oneByOne(
    tpl: Template,
    built: Built,
    part: SinkPart | undefined,
  ): Promise<{ text: string; pairs: QaPair[] }> {
    const pair = (n: number, text: string): QaPair => ({
      question: tpl.questions[n]!,
      answer: tidyAnswer(ownAnswer(cleanSingleAnswer(text, tpl.questions[n]!), tpl.questions, n)),
    });
    if (this.deps.independentQuestions) {
      // --batch: each question on the same prefix (system → paper → question), all at once, independent
      const settled = await Promise.allSettled(
        built.questions!.map((q) => this.call(tpl, [...built.messages, q], undefined)),
      );
      const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
      const pairs = settled.map((r, n) => pair(n, (r as PromiseFulfilledResult<LlmResult>).value.text));
      return { text: pairs.map((p, n) => `### ${n + 1}. ${p.question}\n\n${p.answer}`).join('\n\n'), pairs };
    }
    const conversation = [...built.messages];
    const pairs: QaPair[] = [];
    for (const [n, q] of built.questions!.entries()) {
      this.deps.onStage?.(`question ${n + 1}/${built.questions!.length}`);
      part?.write(`### ${tpl.questions[n]}\n\n`);
      conversation.push(q);
      const res = await this.call(tpl, [...conversation], part);
      conversation.push({ role: 'assistant', content: res.text });
      pairs.push(pair(n, res.text));
      part?.write('\n\n');
    }
    return { text: pairs.map((p, n) => `### ${n + 1}. ${p.question}\n\n${p.answer}`).join('\n\n'), pairs };
  }

  /**
   * All questions in one answer, in whatever shape the model chose. The answers found are kept; each
   * missing one is asked alone on the same prefix (system → paper → the answer so far), so the
   * provider's prompt cache still applies. Fails only when a question still has no answer.
   */
  private async completeQa(
    tpl: Template,
    built: Built,
    text: string,
    raw: string,
    part: SinkPart | undefined,
  ): Promise<{ text: string; pairs: QaPair[] }> {
    const answers = parseQa(text, tpl.questions).answers;
    const missing = tpl.questions.flatMap((_, n) => (answers[n] === undefined ? [n] : []));
    if (missing.length)
      this.deps.verbose(
        `${this.key} ${tpl.name}: no answer found for question ${missing.map((n) => n + 1).join(', ')}; asking ${missing.length === 1 ? 'it' : 'them'} alone`,
      );
    // the conversation goes on from what the model said, not from our repair of it
    const prefix: ChatMessage[] = [...built.messages, { role: 'assistant', content: raw }];
    for (const n of missing) {
      const question = tpl.questions[n]!;
      this.deps.onStage?.(`follow-up: question ${n + 1}`);
      part?.write(`\n\n### ${question}\n\n`);
      const res = await this.call(tpl, [...prefix, built.ask(n)], part, true).catch((err: unknown) => {
        // name the question that stays unanswered; a fatal error (key, money) stays as it is
        if (!(err instanceof DigestError) || err.fatal) throw err;
        throw new DigestError(
          err.code,
          `${tpl.name}: no answer to question ${n + 1} (${question}): ${err.message}`,
          err.hint ? { hint: err.hint } : {},
        );
      });
      const answer = cleanSingleAnswer(res.text, question);
      if (!answer.trim())
        throw new DigestError(
          'llm',
          `${tpl.name}: no answer to question ${n + 1} (${question}), even when asked alone`,
        );
      answers[n] = answer;
    }
    return { text, pairs: tpl.questions.map((q, n) => ({ question: q, answer: tidyAnswer(answers[n]!) })) };
  }

  /** The post's title, or one asked for in a short follow-up when the answer has none ('' if that fails too). */
  private async titleOf(tpl: Template, built: Built, text: string, raw: string): Promise<string> {
    const found = parsePost(text).titleZh;
    if (found) return found;
    this.deps.verbose(`${this.key} ${tpl.name}: the answer has no title; asking for one`);
    this.deps.onStage?.('follow-up: title');
    // a title may rightly be mostly English names ("GPT-4o 的…"): asked for one CJK character, not a share
    const res = await this.call(
      tpl,
      [...built.messages, { role: 'assistant', content: raw }, built.askTitle()],
      undefined,
      true,
      false,
    );
    const line = parsePost(res.text).titleZh || res.text.split('\n').find((l) => l.trim()) || '';
    const title = cleanTitle(line.replace(/^#+\s*/, '')).slice(0, 160);
    return !tpl.requireChinese || /[\u3400-\u9fff]/.test(title) ? title : '';
  }
}

const UNSUPPORTED = '论文中找不到：';

function tidyAnswer(md: string): string {
  return flattenHeadings(sanitizeModelMarkdown(checkMarkdown(md, { requireChinese: false }).text));
}

/**
 * A one-by-one answer that goes on to answer the other questions too (models do, given the whole paper):
 * cut at the first heading or bold line that names another question.
 */
export function ownAnswer(answer: string, questions: string[], n: number): string {
  const lines = answer.split('\n');
  const cut = lines.findIndex((l, i) => {
    if (i === 0) return false;
    const label = /^\s*(?:#{1,6}\s*|\*\*)\s*(?:\d+[.、]\s*)?(.+?)(?:\*\*)?\s*$/.exec(l)?.[1];
    if (!label || !/^\s*(#|\*\*)/.test(l)) return false;
    return questions.some((q, k) => k !== n && similar(label, q));
  });
  return cut === -1 ? answer : lines.slice(0, cut).join('\n').trim();
}

function similar(a: string, b: string): boolean {
  const strip = (s: string) => s.replace(/[\s?？:：*#\d.、]/g, '');
  const x = strip(a);
  const y = strip(b);
  return x.length >= 4 && (x === y || (x.length >= 6 && (y.includes(x) || x.includes(y))));
}
