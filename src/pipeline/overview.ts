/** The digest page's overview: one call over the day's written papers, cached by its exact messages. */
import type { Cache } from '../cache/cache.js';
import { usageError } from '../errors.js';
import type { ChatMessage, Llm } from '../llm/llm-client.js';
import type { Lang } from '../templates/glossary.js';
import { inVariant } from './messages.js';
import { paperList, type DigestEntry } from '../render/digest-page.js';
import { sanitizeModelMarkdown } from '../render/sanitize.js';
import { checkMarkdown, fixRequest } from '../check/answer.js';
import { overviewProblems } from '../check/overview.js';
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
  /** The Chinese variant the page is written in (the prompt asks for it). */
  lang?: Lang;
}

export async function writeOverview({
  tpl,
  entries,
  date,
  categories,
  llm,
  cache,
  signal,
  lang = 'zh-CN',
}: OverviewRequest): Promise<Overview> {
  const vars = { date, categories: categories.join(', '), paper_list: paperList(entries) };
  const where = `${tpl.name} (${tpl.file})`;
  const messages: ChatMessage[] = inVariant(
    [
      ...(tpl.system ? [{ role: 'system' as const, content: renderString(tpl.system, vars, where) }] : []),
      { role: 'user' as const, content: renderString(tpl.user, vars, where) },
    ],
    lang,
  );
  const key = {
    v: 2,
    kind: 'overview',
    hash: tpl.hash,
    model: llm.facts.model,
    endpoint: llm.facts.endpoint,
    messages,
  };
  const hit = await cache.get<Overview>('overview', key);
  if (hit && typeof hit.text === 'string') return { text: hit.text, problems: hit.problems ?? [] };
  const ask = async (msgs: ChatMessage[]) =>
    (
      await llm.complete({
        messages: msgs,
        ...(tpl.temperature !== undefined ? { temperature: tpl.temperature } : {}),
        ...(tpl.maxTokens !== undefined ? { maxTokens: tpl.maxTokens } : {}),
        requireChinese: tpl.requireChinese,
        signal,
        ...(msgs.length > messages.length ? { followUp: true } : {}),
      })
    ).text;
  const day = { total: entries.length, paperList: vars.paper_list };
  const inspect = (raw: string): Overview => {
    const checked = checkMarkdown(raw, tpl);
    const text = sanitizeModelMarkdown(checked.text).replace(/^##\s/gm, '### ');
    return { text, problems: [...checked.problems, ...overviewProblems(text, day)] };
  };
  const first = await ask(messages);
  let best = inspect(first);
  if (best.problems.length) {
    // once more, saying exactly what is wrong; the better of the two is kept
    const again = await ask([
      ...messages,
      { role: 'assistant', content: first },
      { role: 'user', content: fixRequest(best.problems) },
    ]).catch((err: unknown) => {
      if (signal.aborted) throw err;
      return undefined;
    });
    const b = again === undefined ? undefined : inspect(again);
    if (b && b.problems.length < best.problems.length) best = b;
  }
  await cache.set('overview', key, best);
  return best;
}

export interface Overview {
  text: string;
  /** What the checks still find after one corrected answer: the page is written as a draft. */
  problems: string[];
}
