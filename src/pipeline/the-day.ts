/**
 * digest daily's steps around the writing: what is read before any request (templates, interests), which
 * papers the day holds and in what order, which posts are kept or rewritten, and the page at the end.
 */
import pLimit from 'p-limit';
import type { Paper } from '../arxiv/paper.js';
import type { Llm } from '../llm/llm-client.js';
import type { DigestEntry } from '../render/digest-page.js';
import { usageError } from '../errors.js';
import { PROVIDER_NAMES, PROVIDERS } from '../llm/providers.js';
import { hasInterests, loadInterests, type Interests } from '../rank/interests.js';
import { parseScores } from '../rank/model.js';
import type { DailyOptions } from '../settings/resolve.js';
import type { Template } from '../templates/template.js';
import { askInBatches } from './ask-in-batches.js';
import type { RunContext } from './context.js';
import { listFromApi, listFromFeed, settleListing, type DayListing } from './day-listing.js';
import { writeDayPage } from './day-page.js';
import type { PostFiles } from './deliver.js';
import { listTheRest } from './listing-zh.js';
import { dayTemplate } from './overview.js';
import { rankTheDay, type DayRanking } from './rank-day.js';
import type { Arriving, PaperOutcome } from './run-papers.js';
import { passesFilters, selectPapers, type Admission } from './select-papers.js';

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

export interface WrittenDay {
  date: string;
  /** The papers to write, in the order they are written. */
  papers: Arriving[];
  /** The papers beyond --top, listed in Chinese. */
  rest: Paper[];
  extras: DayRanking['extras'];
  /** Papers still arriving: --match, --exclude, --authors and --limit, decided per paper in arXiv order. */
  keep?: (p: Paper) => boolean;
  /** The listed papers arXiv did not know (settles when the whole listing is in; rejects if arXiv failed). */
  missing: Promise<string[]>;
}

export type TheDay = { quiet: string } | WrittenDay;

/**
 * The day's papers (feed or --date), filtered, ranked, and split at --top into written and listed. With no
 * ranking to wait for, the papers are handed on as their metadata arrives, so writing starts with the first
 * batch instead of after arXiv's whole polite queue.
 */
export async function chooseTheDay(o: DailyOptions, ctx: RunContext, plan: DayPlan): Promise<TheDay> {
  const { logger, arxiv, cache } = ctx;
  const listingOpts = { ...o, rssUrl: o.arxiv.rssUrl, arxiv, cache, logger };
  const listing = o.date ? await listFromApi(listingOpts, o.date) : await listFromFeed(listingOpts);
  if ('quiet' in listing) return listing;
  const date = listing.announcement;
  const missing = listing.done.then(() => reportMissing(listing, logger));
  missing.catch(() => undefined); // awaited after the run, where a listing arXiv could not send is reported
  if (ctx.llm && !plan.interests && plan.top === undefined) {
    logger.info(
      `${date} · ${o.categories.join(' ')}: ${listing.keys.length} paper(s) listed; each starts as soon as arXiv has sent its metadata`,
    );
    let kept = 0;
    const keep = (p: Paper) => passesFilters(p, o) && (o.limit === undefined || kept++ < o.limit);
    return { date, papers: listing.arriving, rest: [], extras: new Map(), keep, missing };
  }
  const { papers: all } = await settleListing(listing);
  const { papers: chosen, filtered } = selectPapers(all, o);
  const { papers: ranked, extras } = await rankTheDay(chosen, plan.interests, ctx, rankMethod(o, ctx, plan));
  const papers = ranked.slice(0, plan.top ?? ranked.length);
  const rest = ranked.slice(papers.length);
  logger.info(
    `${date} · ${o.categories.join(' ')}: ${all.length} paper(s) listed${filtered ? `, ${filtered} filtered out` : ''}, ${papers.length} to write${rest.length ? `, ${rest.length} to list in Chinese` : ''}`,
  );
  return { papers, rest, extras, date, missing };
}

async function reportMissing(listing: DayListing, logger: RunContext['logger']): Promise<string[]> {
  const all = await Promise.all(listing.arriving);
  const missing = listing.keys.filter((_, i) => !all[i]);
  for (const m of missing) logger.error(`${m}: listed in the feed but not found on arXiv`);
  return missing;
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
 * The papers as the run sees them: each admitted in order (filters and --limit while arriving, posts already
 * in the folder, --max-cost) just before it is handed on; `admission` keeps what was decided.
 */
export function admitInOrder(day: WrittenDay, admission: Admission): Promise<Paper | undefined>[] {
  let previous: Promise<unknown> = Promise.resolve();
  return day.papers.map((arriving, i) => {
    // the post already in the folder is read as soon as the paper is here; the decisions go in order
    const entry = Promise.resolve(arriving).then((p) => p && admission.lookup(p));
    const admitted = previous.then(async () => {
      const p = await arriving;
      if (!p || (day.keep && !day.keep(p))) return undefined;
      await admission.admit(i, p, await entry);
      return p;
    });
    previous = admitted.catch(() => undefined); // a paper that could not be admitted fails alone
    return admitted;
  });
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
