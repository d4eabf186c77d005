/** Which papers a day's digest covers: from the RSS feed (latest announcement) or the API (a past date). */
import type { ArxivClient } from '../arxiv/arxiv-client.js';
import type { ArxivRef } from '../arxiv/arxiv-id.js';
import type { Paper } from '../arxiv/paper.js';
import { FeedFormatError } from '../arxiv/parse-atom.js';
import { parseRss, type AnnounceType, type Listing } from '../arxiv/parse-rss.js';
import {
  addDays,
  arxivStamp,
  easternDateOf,
  isAnnouncementDay,
  latestAnnouncement,
  submissionWindow,
  whyNoAnnouncement,
} from '../arxiv/schedule.js';
import type { Cache } from '../cache/cache.js';
import { DigestError } from '../errors.js';
import type { Logger } from '../ui/logger.js';
import { fetchPapersArriving } from './metadata.js';

export type ListingResult = { quiet: string } | DayListing;

/** The day's papers in arXiv order, each settled when its metadata is in (undefined: not found on arXiv). */
export interface DayListing {
  announcement: string;
  keys: string[];
  arriving: Promise<Paper | undefined>[];
  /** Settles when arXiv has answered for every paper; rejects when it could not be asked at all. */
  done: Promise<void>;
}

/** The whole listing, once all of it is in: the papers found, and those arXiv did not know. */
export async function settleListing(l: DayListing): Promise<{ papers: Paper[]; missing: string[] }> {
  await l.done;
  const all = await Promise.all(l.arriving);
  return {
    papers: all.filter((p): p is Paper => p !== undefined),
    missing: l.keys.filter((_, i) => !all[i]),
  };
}

export interface ListingOptions {
  categories: string[];
  includeCross: boolean;
  includeReplaced: boolean;
  now: Date;
  rssUrl: string;
  arxiv: ArxivClient;
  cache: Cache;
  logger: Logger;
}

const FIVE_HOURS = 5 * 3_600_000;

/** The announcement the live feed should hold at `now` (the feed is rebuilt at midnight ET; 1 h of grace). */
function feedDay(now: Date): string {
  return addDays(easternDateOf(new Date(now.getTime() - FIVE_HOURS)), -1);
}

/**
 * The feed, parsed. Its own function so that the feed's text (~2 MB for a day of 1,000 papers) is not
 * among the values the listing's async frame keeps while it waits for the papers' metadata.
 */
async function readFeed(o: ListingOptions, url: string): Promise<Listing> {
  const xml = await o.arxiv.feed(url);
  try {
    return parseRss(xml);
  } catch (err) {
    if (err instanceof FeedFormatError && /feed error/i.test(err.message)) {
      throw new DigestError(
        'usage',
        `arXiv does not know the category list "${o.categories.join(' ')}" (${err.message})`,
      );
    }
    throw new DigestError('arxiv', `the arXiv feed ${url} is broken: ${(err as Error).message}`);
  }
}

export async function listFromFeed(o: ListingOptions): Promise<ListingResult> {
  const url = `${o.rssUrl}/${o.categories.join('+')}`;
  const listing = await readFeed(o, url);
  const day = feedDay(o.now);
  if (listing.items.length === 0) {
    const why = whyNoAnnouncement(day);
    if (why) return { quiet: `${why}, so the feed is empty: nothing to write` };
    throw new DigestError(
      'arxiv',
      `the arXiv feed ${url} is empty, but ${day} was an announcement day: arXiv may be late or failing; try again later or pass --date ${day}`,
    );
  }
  const announcement = latestAnnouncement(new Date((listing.builtAt ?? o.now).getTime() - 60_000));
  let expected = day;
  for (let i = 0; i < 14 && !isAnnouncementDay(expected); i++) expected = addDays(expected, -1);
  if (announcement < expected) {
    throw new DigestError(
      'arxiv',
      `the arXiv feed ${url} is stale: it holds the ${announcement} announcement, but ${expected}'s is due; try again later or pass --date ${announcement}`,
    );
  }
  const wanted = new Set<AnnounceType>(['new']);
  if (o.includeCross) wanted.add('cross');
  if (o.includeReplaced) wanted.add('replace');
  if (o.includeReplaced && o.includeCross) wanted.add('replace-cross');
  const seen = new Set<string>();
  const refs: ArxivRef[] = [];
  for (const it of listing.items) {
    if (!wanted.has(it.announceType) || seen.has(it.id)) continue;
    seen.add(it.id);
    refs.push({ id: it.id, version: it.version, input: it.id });
  }
  o.logger.verbose(
    `feed ${url}: ${listing.items.length} item(s) for the ${announcement} announcement, ${refs.length} selected (${[...wanted].join(', ')})`,
  );
  const { arriving, done } = fetchPapersArriving(o.arxiv, o.cache, refs);
  return {
    announcement,
    keys: refs.map((r) => `${r.id}v${r.version}`),
    arriving: arriving.map((a) => a.then((m) => (m.ok ? m.paper : undefined))),
    done,
  };
}

export async function listFromApi(o: ListingOptions, date: string): Promise<ListingResult> {
  const why = whyNoAnnouncement(date);
  if (why) return { quiet: `${why}: nothing to write` };
  const latest = latestAnnouncement(o.now);
  if (date > latest)
    throw new DigestError('usage', `--date ${date}: not announced yet (the latest announcement is ${latest})`);
  if (o.includeReplaced)
    o.logger.warn(
      '--include-replaced has no effect with --date: the API lists papers by the date of their first version',
    );
  const { from, to } = submissionWindow(date);
  const cats = o.categories.map((c) => `cat:${c}`).join(' OR ');
  const query = `(${cats}) AND submittedDate:[${arxivStamp(from)} TO ${arxivStamp(new Date(to.getTime() - 60_000))}]`;
  o.logger.verbose(`API listing for ${date}: ${query}`);
  const pageSize = 200;
  const all: Paper[] = [];
  let total = Infinity;
  for (let start = 0, emptyRetries = 0; start < total;) {
    const page = await o.arxiv.search(query, start, pageSize);
    total = page.total;
    if (page.papers.length === 0 && start < total) {
      // arXiv sometimes answers a page empty under load: ask again, then give up loudly
      if (++emptyRetries > 2)
        throw new DigestError(
          'arxiv',
          `arXiv kept answering an empty page at ${start} of ${total} for ${date}; try again later`,
        );
      continue;
    }
    all.push(...page.papers);
    start += page.papers.length;
    if (page.papers.length === 0) break;
  }
  const seen = new Set<string>();
  const papers = all.filter((p) => {
    if (seen.has(p.id)) return false;
    seen.add(p.id);
    return o.categories.includes(p.primaryCategory) || o.includeCross;
  });
  for (const p of papers) await o.cache.set('meta', `${p.id}v${p.version}`, p);
  return {
    announcement: date,
    keys: papers.map((p) => `${p.id}v${p.version}`),
    arriving: papers.map((p) => Promise.resolve(p)),
    done: Promise.resolve(),
  };
}
