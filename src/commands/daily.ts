/** `digest daily`: a day's papers of some categories → one post each (-o) and a digest page. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ArxivClient } from '../arxiv/arxiv-client.js';
import { isValidDate } from '../arxiv/schedule.js';
import { intParser, type CommonFlags } from '../config.js';
import { usageError } from '../errors.js';
import { costOf, formatCost, priceOf } from '../llm/cost.js';
import { localiseFigure } from '../output/figures.js';
import { ensureDir, outputPath, writeAtomic } from '../output/write-file.js';
import { digestFileName, renderDigestPage, type DigestEntry } from '../render/digest-page.js';
import { renderMarkdown } from '../render/post.js';
import { templateSet } from '../templates/template.js';
import { createProgress } from '../ui/progress.js';
import { redact } from '../ui/redact.js';
import { version } from '../version.js';
import { runBatch, summaryLine, type PaperOutcome } from './batch.js';
import { loadSettings, openCache, textDeps } from './context.js';
import { entryFromFile, entryFromResult, estimatePaper, printPlan, reportOutcomes, writeOverview } from './daily-parts.js';
import { createLlm, loadTemplates, type Io } from './fetch.js';
import { listFromApi, listFromFeed } from './listing.js';

export interface DailyFlags extends CommonFlags {
  date?: string;
  limit?: string;
  match?: string;
  exclude?: string;
  authors?: string;
  includeCross?: boolean;
  includeReplaced?: boolean;
  output?: string;
  force?: boolean;
  dryRun?: boolean;
  maxCost?: string;
  downloadFigures?: boolean;
}

const CATEGORY = /^[a-z]+(-[a-z]+)?(\.[A-Za-z]+(-[A-Za-z]+)?)?$/;

function regex(flag: string, src: string | undefined): RegExp | undefined {
  if (src === undefined) return undefined;
  try {
    return new RegExp(src, 'i');
  } catch (err) {
    throw usageError(`${flag} ${JSON.stringify(src)}: not a valid regular expression (${(err as Error).message})`);
  }
}

export async function runDaily(args: string[], flags: DailyFlags, io: Io): Promise<number> {
  const { logger } = io;
  const settings = await loadSettings(flags, io.env);
  const f = settings.file;
  const categories = [...new Set(args.length ? args : (f.categories ?? ['cs.CL']))];
  for (const c of categories) {
    if (!CATEGORY.test(c)) throw usageError(`category ${JSON.stringify(c)}: expected an arXiv category such as cs.CL, math.AP or astro-ph.GA`);
  }
  if (flags.date !== undefined && !isValidDate(flags.date)) throw usageError(`--date ${JSON.stringify(flags.date)}: expected a calendar date as YYYY-MM-DD`);
  const match = regex('--match', flags.match ?? f.match);
  const exclude = regex('--exclude', flags.exclude ?? f.exclude);
  const authors = (flags.authors !== undefined ? flags.authors.split(',') : (f.authors ?? [])).map((a) => a.trim().toLowerCase()).filter(Boolean);
  const limit = flags.limit !== undefined ? intParser(1, 100_000)(flags.limit, `--limit ${flags.limit}`) : f.limit;
  let maxCost = f.maxCost;
  if (flags.maxCost !== undefined) {
    if (!/^\d+(\.\d+)?$/.test(flags.maxCost.trim())) throw usageError(`--max-cost ${flags.maxCost}: expected an amount in US dollars, e.g. 0.50`);
    maxCost = Number(flags.maxCost);
  }
  const output = flags.output ?? f.output;
  if (output === '') throw usageError('-o: empty folder name');
  const templates = await loadTemplates(settings);
  const overviewTpl = await templateSet(settings.promptsDir).get('overview');
  if (overviewTpl.kind !== 'overview') throw usageError(`template ${overviewTpl.file}: the overview template must have kind: overview`);
  const llm = flags.dryRun ? undefined : createLlm(settings, logger);

  const cache = openCache(settings, logger);
  const arxiv = new ArxivClient({ ...settings.arxiv, signal: io.signal, log: (m) => logger.warn(m) });
  const text = textDeps(settings, arxiv, cache, logger);
  const listingOpts = {
    categories,
    includeCross: flags.includeCross ?? f.includeCross ?? false,
    includeReplaced: flags.includeReplaced ?? f.includeReplaced ?? false,
    now: settings.now,
    rssUrl: settings.arxiv.rssUrl,
    arxiv,
    cache,
    logger,
  };
  const listing = flags.date ? await listFromApi(listingOpts, flags.date) : await listFromFeed(listingOpts);
  if ('quiet' in listing) {
    logger.info(listing.quiet);
    return 0;
  }
  for (const m of listing.missing) logger.error(`${m}: listed in the feed but not found on arXiv`);
  let papers = listing.papers.filter((p) => {
    const text = `${p.title}\n${p.abstract}`;
    if (match && !match.test(text)) return false;
    if (exclude && exclude.test(text)) return false;
    if (authors.length && !p.authors.some((a) => authors.some((n) => a.name.toLowerCase().includes(n)))) return false;
    return true;
  });
  const filtered = listing.papers.length - papers.length;
  if (limit !== undefined) papers = papers.slice(0, limit);
  const date = listing.announcement;
  logger.info(`${date} · ${categories.join(' ')}: ${listing.papers.length} paper(s) listed${filtered ? `, ${filtered} filtered out` : ''}, ${papers.length} to write`);

  const price = priceOf(settings.llm.model, settings.prices);
  if (flags.dryRun) {
    await printPlan(papers, templates, date, categories, cache, llm, settings.llm.model, price, io.stdout, text);
    return listing.missing.length ? 1 : 0;
  }
  const client = llm!;

  // posts already in the folder are kept; their front matter feeds the digest page
  const existing = new Map<number, DigestEntry>();
  if (output) {
    await ensureDir(output);
    if (!flags.force) {
      for (const [i, p] of papers.entries()) {
        const file = outputPath(output, p.id, 'md');
        if (existsSync(file)) {
          const entry = await entryFromFile(file, p);
          if (entry) existing.set(i, entry);
        }
      }
    }
  }

  // --max-cost: admit papers in arXiv order while the estimated spend stays under the cap
  const skip = new Map<number, string>();
  for (const i of existing.keys()) skip.set(i, 'post already in the folder (use --force to rewrite)');
  if (maxCost !== undefined) {
    if (!price) logger.warn(`--max-cost: no price known for ${settings.llm.model}; add it under "prices" in digest.config.json`);
    let planned = 0;
    for (const [i, p] of papers.entries()) {
      if (skip.has(i)) continue;
      const est = await estimatePaper(p, templates, cache, client, text);
      const cost = costOf({ promptTokens: est.input, completionTokens: est.output, cachedTokens: 0 }, price) ?? 0;
      if (planned + cost > maxCost) skip.set(i, `--max-cost ${maxCost}: estimated spend would pass the cap`);
      else planned += cost;
    }
    const over = [...skip.values()].filter((r) => r.startsWith('--max-cost')).length;
    if (over) logger.warn(`--max-cost $${maxCost}: ${over} paper(s) will not be started (estimated spend would pass the cap)`);
  }

  const started = Date.now();
  const progress = await createProgress({
    enabled: io.stderrIsTTY && !flags.verbose && !flags.quiet,
    total: papers.length,
    logger,
    stats: () => `${Math.round((Date.now() - started) / 1000)} s · tokens ${client.usage.promptTokens}/${client.usage.completionTokens}`,
  });
  const outcomes = await runBatch({
    papers,
    templates,
    llm: client,
    cache,
    text,
    concurrency: settings.concurrency,
    now: settings.now,
    signal: io.signal,
    logger,
    progress,
    skip,
    deliver: async (_i, result) => {
      if (!output) return;
      if (flags.downloadFigures ?? f.downloadFigures) result = await localiseFigure(result, output, arxiv, settings.fulltext.maxBytes, (m) => logger.warn(m));
      const file = outputPath(output, result.paper.id, 'md');
      if (!(await writeAtomic(file, renderMarkdown(result), flags.force === true))) logger.info(`skip ${result.paper.id}: ${file} appeared meanwhile`);
    },
  });

  const entries: DigestEntry[] = [];
  outcomes.forEach((o, i) => {
    const e = o.status === 'done' ? entryFromResult(o.result) : existing.get(i);
    if (e) entries.push({ ...e, link: output ? `./${path.basename(outputPath(output, e.id, 'md'))}` : `https://arxiv.org/abs/${e.id}v${e.version}` });
  });

  let overviewFailed = false;
  let overview: string | undefined;
  if (entries.length > 0) {
    try {
      overview = await writeOverview(overviewTpl, entries, date, categories, client, cache, io.signal);
    } catch (err) {
      if (io.signal.aborted) throw err;
      overviewFailed = true;
      logger.error(`digest overview: ${redact((err as Error).message)}; the page is written without it`);
    }
  }
  const page = renderDigestPage({
    date,
    categories,
    overview,
    overviewHeading: overviewTpl.heading,
    entries,
    generatedAt: settings.now,
    generator: `arxiv-digest ${version()}`,
    provider: settings.llm.preset.name,
    model: settings.llm.model,
    templates: [...templates, overviewTpl].map((t) => ({ name: t.name, hash: t.hash })),
  });
  if (output) {
    const file = path.join(path.resolve(output), digestFileName(date, categories));
    await writeAtomic(file, page, true); // the page is an index of the folder: always rebuilt
    io.stdout(`${file}\n`);
  } else {
    io.stdout(page);
  }

  reportOutcomes(outcomes, papers, logger);
  const cost = costOf(client.usage, price);
  const all: PaperOutcome[] = [...outcomes, ...listing.missing.map((m) => ({ status: 'failed' as const, reason: `${m} not found` }))];
  logger.info(summaryLine(all, client, ` · estimated cost ${formatCost(cost)}`));
  const failed = all.some((o) => o.status === 'failed') || overviewFailed;
  return failed ? 1 : 0;
}

