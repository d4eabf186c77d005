/** `digest daily`: a day's papers of some categories → one post each (-o) and a digest page. */
import pLimit from 'p-limit';
import { costOf, formatCost, priceOf } from '../llm/cost.js';
import { ensureDir } from '../output/write-file.js';
import type { DigestEntry } from '../render/digest-page.js';
import { createContext, type Io } from '../pipeline/context.js';
import { listFromApi, listFromFeed } from '../pipeline/day-listing.js';
import { writeDayPage } from '../pipeline/day-page.js';
import { postFilesOf, writePostFile } from '../pipeline/deliver.js';
import { entriesInFolder } from '../pipeline/digest-entries.js';
import { printPlan } from '../pipeline/estimate.js';
import { olderPosts, writeNewVersion, type PostedPaper } from '../pipeline/refresh.js';
import { dayTemplate } from '../pipeline/overview.js';
import { listTheRest } from '../pipeline/listing-zh.js';
import { reportOutcomes, summaryLine } from '../pipeline/report.js';
import { runPapers, type PaperOutcome } from '../pipeline/run-papers.js';
import { applyCostCap, selectPapers } from '../pipeline/select-papers.js';
import { loadDailyOptions } from '../settings/load.js';
import type { DailyFlags } from '../settings/resolve.js';
import { createProgress } from '../ui/progress.js';

export async function runDaily(args: string[], flags: DailyFlags, io: Io): Promise<number> {
  const o = await loadDailyOptions(flags, args, io.env);
  const ctx = await createContext(o, io);
  const overviewTpl = await dayTemplate(o.templateDir, 'overview');
  const listingTpl = o.top !== undefined ? await dayTemplate(o.templateDir, 'listing') : undefined;
  const { logger, arxiv, cache, text, templates } = ctx;

  const listingOpts = { ...o, rssUrl: o.arxiv.rssUrl, arxiv, cache, logger };
  const listing = o.date ? await listFromApi(listingOpts, o.date) : await listFromFeed(listingOpts);
  if ('quiet' in listing) {
    logger.info(listing.quiet);
    return 0;
  }
  for (const m of listing.missing) logger.error(`${m}: listed in the feed but not found on arXiv`);
  const { papers: selected, filtered } = selectPapers(listing.papers, o);
  // --top N: the first N are written up; the rest get a Chinese title and summary on the page
  const papers = selected.slice(0, o.top ?? selected.length);
  const rest = selected.slice(papers.length);
  const date = listing.announcement;
  logger.info(
    `${date} · ${o.categories.join(' ')}: ${listing.papers.length} paper(s) listed${filtered ? `, ${filtered} filtered out` : ''}, ${papers.length} to write${rest.length ? `, ${rest.length} to list in Chinese` : ''}`,
  );

  const price = priceOf(o.llm.model, o.prices);
  if (!ctx.llm) {
    await printPlan(
      {
        papers,
        listed: rest.length,
        templates,
        date,
        categories: o.categories,
        cache,
        llm: undefined,
        model: o.llm.model,
        price,
        text,
      },
      io.stdout,
    );
    return listing.missing.length ? 1 : 0;
  }
  const llm = ctx.llm;

  // posts already in the folder are kept; their front matter feeds the digest page
  const files = postFilesOf(o, ctx, date);
  if (files) await ensureDir(files.folder.dir);
  const existing = files && !o.force ? await entriesInFolder(papers, files.folder) : new Map<number, DigestEntry>();
  // a post of an older version (a replaced paper, --include-replaced) is rewritten for the new one
  const older = files ? await olderPosts(papers, existing, files.folder) : new Map<number, PostedPaper>();
  for (const i of older.keys()) existing.delete(i);
  const skip = new Map([...existing.keys()].map((i) => [i, 'post already in the folder (use --force to rewrite)']));
  if (o.maxCost !== undefined)
    await applyCostCap(papers, skip, { ...ctx, llm: llm.facts, maxCost: o.maxCost, price, model: o.llm.model });

  const started = Date.now();
  const progress = await createProgress({
    enabled: io.stderrIsTTY && !o.verbose && !o.quiet,
    total: papers.length,
    logger,
    stats: () =>
      `${Math.round((Date.now() - started) / 1000)} s · tokens ${llm.usage.promptTokens}/${llm.usage.completionTokens}`,
  });
  const outcomes = await runPapers({
    ...ctx,
    llm,
    papers,
    concurrency: o.concurrency,
    progress,
    skip,
    deliver: async (i, result) => {
      if (files)
        await (older.has(i) ? writeNewVersion(result, older.get(i)!, files, o.force) : writePostFile(result, files));
    },
  });

  const listed = await listTheRest(rest, {
    ...ctx,
    llm,
    tpl: listingTpl!,
    limit: pLimit(o.concurrency),
    folder: files?.folder,
  });
  const pageOk = await writeDayPage({
    listed,
    ...ctx,
    llm,
    date,
    categories: o.categories,
    outcomes,
    existing,
    folder: files?.folder,
    site: o.site,
    overviewTpl,
    provider: o.llm.preset.name,
    stdout: io.stdout,
  });
  reportOutcomes(outcomes, papers, logger);
  const all: PaperOutcome[] = [
    ...outcomes,
    ...listing.missing.map((m) => ({ status: 'failed' as const, reason: `${m} not found` })),
  ];
  logger.info(summaryLine(all, llm, ` · estimated cost ${formatCost(costOf(llm.usage, price))}`));
  return all.some((x) => x.status === 'failed') || !pageOk ? 1 : 0;
}
