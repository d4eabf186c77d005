/** `digest daily`: a day's papers of some categories → one post each (-o) and a digest page. */
import { batchPrice, costOf, formatCost, priceOf } from '../llm/cost.js';
import { ensureDir } from '../output/write-file.js';
import { interestsText } from '../rank/model.js';
import { createContext, type Io } from '../pipeline/context.js';
import { postFilesOf, writePostFile } from '../pipeline/deliver.js';
import { printPlan } from '../pipeline/estimate.js';
import { writeNewVersion } from '../pipeline/refresh.js';
import { reportOutcomes, summaryLine } from '../pipeline/report.js';
import { runPapers, type PaperOutcome } from '../pipeline/run-papers.js';
import { chooseTheDay, finishTheDay, prepareDay, whatToSkip } from '../pipeline/the-day.js';
import { loadDailyOptions } from '../settings/load.js';
import type { DailyFlags } from '../settings/resolve.js';
import { createProgress } from '../ui/progress.js';

export async function runDaily(args: string[], flags: DailyFlags, io: Io): Promise<number> {
  const o = await loadDailyOptions(flags, args, io.env);
  const ctx = await createContext(o, io);
  const plan = await prepareDay(o);
  const { logger } = ctx;

  const day = await chooseTheDay(o, ctx, plan);
  if ('quiet' in day) {
    logger.info(day.quiet);
    return 0;
  }
  const { papers, date } = day;
  // --batch: the day's papers are paid at the batch price (the estimate, the cap, the closing figure)
  const price = ctx.batch ? batchPrice(priceOf(o.llm.model, o.prices)) : priceOf(o.llm.model, o.prices);
  if (!ctx.llm) {
    const { cache, templates, text } = ctx;
    await printPlan(
      {
        ...day,
        listing: { tpl: plan.listingTpl, papers: day.rest },
        ranking: plan.rankTpl && {
          tpl: plan.rankTpl,
          papers: [...papers, ...day.rest],
          interests: interestsText(plan.interests!, plan.interests!.examples),
        },
        templates,
        categories: o.categories,
        cache,
        llm: undefined,
        model: o.llm.model,
        price,
        text,
        batch: ctx.batch !== undefined,
      },
      io.stdout,
    );
    return day.missing.length ? 1 : 0;
  }
  const llm = ctx.llm;
  const run = { ...ctx, llm };

  const files = postFilesOf(o, ctx, date);
  if (files) await ensureDir(files.folder.dir);
  const { existing, older, skip } = await whatToSkip(papers, files, o, run, price);

  const started = Date.now();
  const progress = await createProgress({
    enabled: io.stderrIsTTY && !o.verbose && !o.quiet,
    total: papers.length,
    logger,
    stats: () =>
      `${Math.round((Date.now() - started) / 1000)} s · tokens ${llm.usage.promptTokens}/${llm.usage.completionTokens}`,
  });
  const outcomes = await runPapers({
    ...run,
    papers,
    concurrency: o.concurrency,
    progress,
    skip,
    deliver: async (i, done) => {
      const rank = day.extras.get(done.paper.id)?.rank;
      const result = rank ? { ...done, rank } : done;
      if (files)
        await (older.has(i) ? writeNewVersion(result, older.get(i)!, files, o.force) : writePostFile(result, files));
    },
  });

  const pageOk = await finishTheDay(day, outcomes, existing, files, o, run, plan, io.stdout);
  reportOutcomes(outcomes, papers, logger);
  const all: PaperOutcome[] = [
    ...outcomes,
    ...day.missing.map((m) => ({ status: 'failed' as const, reason: `${m} not found` })),
  ];
  logger.info(summaryLine(all, llm, ` · estimated cost ${formatCost(costOf(llm.usage, price))}`));
  return all.some((x) => x.status === 'failed') || !pageOk ? 1 : 0;
}
