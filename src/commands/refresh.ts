/** `digest refresh [DIR]`: rewrite the posts whose paper has a newer version on arXiv. */
import { usageError } from '../errors.js';
import { createContext, type Io } from '../pipeline/context.js';
import { postFilesOf } from '../pipeline/deliver.js';
import { behind, besideName, markWithdrawn, readPosts, writeNewVersion } from '../pipeline/refresh.js';
import { summaryLine } from '../pipeline/report.js';
import { runPapers } from '../pipeline/run-papers.js';
import { loadDailyOptions } from '../settings/load.js';
import type { DailyFlags } from '../settings/resolve.js';
import { createProgress } from '../ui/progress.js';

export async function runRefresh(dir: string | undefined, flags: DailyFlags, io: Io): Promise<number> {
  const o = await loadDailyOptions({ ...flags, ...(dir !== undefined ? { output: dir } : {}) }, [], io.env);
  if (!o.output) throw usageError('no posts folder: digest refresh DIR (or "output" in digest.config.json)');
  const ctx = await createContext(o, io);
  const { logger } = ctx;
  const files = postFilesOf(o, ctx, o.now.toISOString().slice(0, 10))!;
  const posts = await readPosts(files.folder);
  if (posts.length === 0) {
    logger.info(`no post with an arxiv_id under ${o.output}`);
    return 0;
  }
  const metadata = await ctx.arxiv.fetchPapers(posts.map((p) => ({ id: p.id, version: undefined, input: p.id })));
  const stale = behind(posts, metadata, o.force);
  const missing = posts.filter((p) => !metadata.get(p.id)?.ok);
  for (const p of missing) logger.warn(`${p.id} (${p.file}): not found on arXiv; left as it is`);
  logger.info(`${posts.length} post(s) under ${o.output}: ${stale.length} behind arXiv`);
  const kept = (b: (typeof stale)[number]) => b.edited && !o.force;

  if (!ctx.llm) {
    for (const b of stale) {
      const what = b.withdrawn
        ? 'withdrawn: a notice is added'
        : kept(b)
          ? `edited by hand: kept, the new version goes to ${besideName(b.file, b.paper.version)}`
          : 'rewritten in place';
      io.stdout(`${b.id}: v${b.version} → v${b.paper.version}  ${b.file}  (${what})\n`);
    }
    return 0;
  }
  const llm = ctx.llm;
  for (const b of stale.filter((x) => x.withdrawn)) {
    await markWithdrawn(b);
    io.stdout(`${b.file}\n`);
  }
  const todo = stale.filter((x) => !x.withdrawn);
  const outcomes = await runPapers({
    ...ctx,
    llm,
    papers: todo.map((b) => b.paper),
    concurrency: o.concurrency,
    progress: await createProgress({ enabled: io.stderrIsTTY && !o.verbose && !o.quiet, total: todo.length, logger }),
    deliver: async (i, result) => io.stdout(`${await writeNewVersion(result, todo[i]!, files, o.force)}\n`),
  });
  logger.info(summaryLine(outcomes, llm));
  return outcomes.some((x) => x.status === 'failed') || missing.length ? 1 : 0;
}
