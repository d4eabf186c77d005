/**
 * digest daily's steps around the writing: what is read before any request (templates, interests), which
 * papers the day holds and in what order, which posts are kept or rewritten, and the page at the end.
 */
import pLimit from 'p-limit';
import type { Paper } from '../arxiv/paper.js';
import type { Llm } from '../llm/llm-client.js';
import type { Price } from '../llm/cost.js';
import type { DigestEntry } from '../render/digest-page.js';
import { usageError } from '../errors.js';
import { PROVIDER_NAMES, PROVIDERS } from '../llm/providers.js';
import { hasInterests, loadInterests, type Interests } from '../rank/interests.js';
import { parseScores } from '../rank/model.js';
import type { DailyOptions } from '../settings/resolve.js';
import type { Template } from '../templates/template.js';
import { askInBatches } from './ask-in-batches.js';
import type { RunContext } from './context.js';
import { listFromApi, listFromFeed } from './day-listing.js';
import { writeDayPage } from './day-page.js';
import type { PostFiles } from './deliver.js';
import { entriesInFolder } from './digest-entries.js';
import { listTheRest } from './listing-zh.js';
import { dayTemplate } from './overview.js';
import { rankTheDay, type DayRanking } from './rank-day.js';
import { olderPosts, type PostedPaper } from './refresh.js';
import type { PaperOutcome } from './run-papers.js';
import { applyCostCap, selectPapers } from './select-papers.js';

export interface DayPlan {
  overviewTpl: Template;
  listingTpl: Template | undefined;
  /** --rank llm: the template the model scores the day with. */
  rankTpl: Template | undefined;
  interests: Interests | undefined;
  /** How many papers are written up; undefined = all. */
  top: number | undefined;
}

/** Everything that can be wrong with the day's templates and interests, found before any request. */
export async function prepareDay(o: DailyOptions): Promise<DayPlan> {
  const loaded =
    o.interests && o.rank !== 'none' ? await loadInterests(o.interests.config, o.interests.baseDir) : undefined;
  const interests = loaded && hasInterests(loaded) ? loaded : undefined;
  if (interests && o.rank === 'embedding' && !o.embeddingModel)
    throw usageError(
      `--rank embedding: ${o.llm.preset.label} has no embeddings endpoint (accepted with --rank embedding: ${PROVIDER_NAMES.filter((n) => PROVIDERS[n]!.embeddingModel).join(', ')}; or set DIGEST_EMBEDDING_MODEL for an endpoint that has one)`,
      'use --rank lexical',
    );
  // with interests, the day is ranked and its 10 best written up unless --top says otherwise
  const top = o.top ?? (interests ? 10 : undefined);
  return {
    overviewTpl: await dayTemplate(o.templateDir, 'overview'),
    listingTpl: top !== undefined ? await dayTemplate(o.templateDir, 'listing') : undefined,
    rankTpl: interests && o.rank === 'llm' ? await dayTemplate(o.templateDir, 'rank') : undefined,
    interests,
    top,
  };
}

export type TheDay = { quiet: string } | (DayRanking & { date: string; rest: Paper[]; missing: string[] });

/** The day's papers (feed or --date), filtered, ranked, and split at --top into written and listed. */
export async function chooseTheDay(o: DailyOptions, ctx: RunContext, plan: DayPlan): Promise<TheDay> {
  const { logger, arxiv, cache } = ctx;
  const listingOpts = { ...o, rssUrl: o.arxiv.rssUrl, arxiv, cache, logger };
  const listing = o.date ? await listFromApi(listingOpts, o.date) : await listFromFeed(listingOpts);
  if ('quiet' in listing) return listing;
  for (const m of listing.missing) logger.error(`${m}: listed in the feed but not found on arXiv`);
  const { papers: chosen, filtered } = selectPapers(listing.papers, o);
  const { papers: ranked, extras } = await rankTheDay(chosen, plan.interests, ctx, rankMethod(o, ctx, plan));
  const papers = ranked.slice(0, plan.top ?? ranked.length);
  const rest = ranked.slice(papers.length);
  const date = listing.announcement;
  logger.info(
    `${date} · ${o.categories.join(' ')}: ${listing.papers.length} paper(s) listed${filtered ? `, ${filtered} filtered out` : ''}, ${papers.length} to write${rest.length ? `, ${rest.length} to list in Chinese` : ''}`,
  );
  return { papers, rest, extras, date, missing: listing.missing };
}

/** How the day is ranked: the provider's embeddings, the chat model's scores, or (undefined) lexically. */
function rankMethod(o: DailyOptions, ctx: RunContext, plan: DayPlan): Parameters<typeof rankTheDay>[3] {
  const { llm, cache, logger, signal } = ctx;
  if (!plan.interests || (o.rank !== 'embedding' && o.rank !== 'llm')) return undefined;
  if (!llm) {
    logger.warn(`dry run: the day is ranked lexically (--rank ${o.rank} would be paid for)`);
    return undefined;
  }
  if (o.rank === 'embedding') {
    if (!llm.embed) return undefined;
    return { embed: (texts) => llm.embed!(texts, o.embeddingModel!, { cache, signal }) };
  }
  const run = { tpl: plan.rankTpl!, llm, cache, signal, logger, limit: pLimit(o.concurrency) };
  return {
    score: (papers, interests) =>
      askInBatches(
        papers,
        {
          kind: 'rank',
          keyExtra: interests,
          vars: { interests },
          parse: parseScores,
          otherwise: 'ranked after the papers the model scored',
        },
        run,
      ),
  };
}

/**
 * Posts already in the folder are kept (their front matter feeds the page), unless their paper has a newer
 * version (rewritten); --max-cost holds back what would pass the cap. Index → reason not to start.
 */
export async function whatToSkip(
  papers: Paper[],
  files: PostFiles | undefined,
  o: DailyOptions,
  ctx: RunContext & { llm: Llm },
  price: Price | undefined,
): Promise<{ existing: Map<number, DigestEntry>; older: Map<number, PostedPaper>; skip: Map<number, string> }> {
  const existing = files && !o.force ? await entriesInFolder(papers, files.folder) : new Map<number, DigestEntry>();
  const older = files ? await olderPosts(papers, existing, files.folder) : new Map<number, PostedPaper>();
  for (const i of older.keys()) existing.delete(i);
  const skip = new Map([...existing.keys()].map((i) => [i, 'post already in the folder (use --force to rewrite)']));
  if (o.maxCost !== undefined)
    await applyCostCap(papers, skip, { ...ctx, llm: ctx.llm.facts, maxCost: o.maxCost, price, model: o.llm.model });
  return { existing, older, skip };
}

/** The papers beyond --top listed in Chinese, then the page; false when its overview failed. */
export async function finishTheDay(
  day: Extract<TheDay, { date: string }>,
  outcomes: PaperOutcome[],
  existing: Map<number, DigestEntry>,
  files: PostFiles | undefined,
  o: DailyOptions,
  ctx: RunContext & { llm: Llm },
  plan: DayPlan,
  stdout: (s: string) => void,
): Promise<boolean> {
  const listed = await listTheRest(day.rest, {
    ...ctx,
    tpl: plan.listingTpl!,
    limit: pLimit(o.concurrency),
    folder: files?.folder,
  });
  return writeDayPage({
    ...ctx,
    listed,
    extras: day.extras,
    date: day.date,
    categories: o.categories,
    outcomes,
    existing,
    folder: files?.folder,
    site: o.site,
    overviewTpl: plan.overviewTpl,
    provider: o.llm.preset.name,
    lang: o.writing.lang,
    stdout,
  });
}
