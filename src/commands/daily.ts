/** `digest daily`: a day's papers of some categories → one post each (-o) and a digest page. */
import type { Paper } from '../arxiv/paper.js';
import { usageError } from '../errors.js';
import { batchPrice, costOf, formatCost, priceOf } from '../llm/cost.js';
import { ensureDir } from '../output/write-file.js';
import { interestsText } from '../rank/model.js';
import { createContext, type Io } from '../pipeline/context.js';
import { postFilesOf, writePostFile } from '../pipeline/deliver.js';
import { printPlan } from '../pipeline/estimate.js';
import { writeNewVersion } from '../pipeline/refresh.js';
import { reportOutcomes, summaryLine } from '../pipeline/report.js';
import { runPapers, type PaperOutcome } from '../pipeline/run-papers.js';
import { admitInOrder, chooseTheDay, finishTheDay, prepareDay } from '../pipeline/the-day.js';
import { Admission } from '../pipeline/select-papers.js';
import { loadDailyOptions } from '../settings/load.js';
import type { DailyFlags } from '../settings/resolve.js';
import { createProgress } from '../ui/progress.js';

export async function runDaily(args: string[], flags: DailyFlags, io: Io): Promise<number> {
  const o = await loadDailyOptions(flags, args, io.env);
  // a cap needs a price: without one it would cap nothing
  if (o.maxCost !== undefined && !priceOf(o.llm.model, o.prices))
    throw usageError(
      `--max-cost ${o.maxCost}: no price known for ${o.llm.model}, so nothing could be capped`,
      `add it under "prices" in digest.config.json, e.g. "prices": {"${o.llm.model}": {"input": 0.3, "output": 1.2}}`,
    );
  const ctx = await createContext(o, io);
  const plan = await prepareDay(o);
  const { logger } = ctx;
  // a folder that cannot be made or written is found before any request, not after the paid ones
  if (o.output && ctx.llm) await ensureDir(o.output);

  const day = await chooseTheDay(o, ctx, plan);
  if ('quiet' in day) {
    logger.info(day.quiet);
    return 0;
  }
  const { date } = day;
  // --batch: the day's papers are paid at the batch price (the estimate, the cap, the closing figure)
  const price = ctx.batch ? batchPrice(priceOf(o.llm.model, o.prices)) : priceOf(o.llm.model, o.prices);
  if (!ctx.llm) {
    // a dry run waits for the whole listing: it prints the plan of the day
    const papers = (await Promise.all(day.papers)).filter((p): p is Paper => p !== undefined);
    const { cache, templates, text } = ctx;
    await printPlan(
      {
        ...day,
        papers,
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
    return (await day.missing).length ? 1 : 0;
  }
  const llm = ctx.llm;
  const run = { ...ctx, llm };

  const files = postFilesOf(o, ctx, date);
  const admission = new Admission({
    folder: files?.folder,
    force: o.force,
    cap:
      o.maxCost === undefined ? undefined : { ...run, llm: llm.facts, maxCost: o.maxCost, price, model: o.llm.model },
  });
  const arriving = admitInOrder(day, admission);

  const started = Date.now();
  const progress = await createProgress({
    enabled: io.stderrIsTTY && !o.verbose && !o.quiet,
    total: arriving.length,
    logger,
    stats: () =>
      `${Math.round((Date.now() - started) / 1000)} s · tokens ${llm.usage.promptTokens}/${llm.usage.completionTokens}`,
  });
  const ran = await runPapers({
    ...run,
    papers: arriving,
    concurrency: o.concurrency,
    progress,
    skip: admission.skip,
    deliver: async (i, done) => {
      const rank = day.extras.get(done.paper.id)?.rank;
      const result = rank ? { ...done, rank } : done;
      const older = admission.older.get(i);
      if (files) await (older ? writeNewVersion(result, older, files, o.force) : writePostFile(result, files));
    },
  });
  const missing = await day.missing;
  admission.finish();

  // the papers the day wrote, kept or skipped (not those filtered out or not found), in order
  const settled = await Promise.all(arriving);
  const kept = settled.flatMap((p, i) => (p ? [i] : []));
  const papers = kept.map((i) => settled[i]!);
  const outcomes = kept.map((i) => ran[i]!);
  const existing = new Map(
    kept.flatMap((i, j) => (admission.existing.has(i) ? [[j, admission.existing.get(i)!]] : [])),
  );

  const pageOk = await finishTheDay({ ...day, papers }, outcomes, existing, files, o, run, plan, io.stdout);
  reportOutcomes(outcomes, papers, logger);
  const all: PaperOutcome[] = [
    ...outcomes,
    ...missing.map((m) => ({ status: 'failed' as const, reason: `${m} not found` })),
  ];
  logger.info(summaryLine(all, llm, ` · estimated cost ${formatCost(costOf(llm.usage, price))}`));
  return all.some((x) => x.status === 'failed') || !pageOk ? 1 : 0;
}
