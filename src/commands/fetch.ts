/** `digest fetch`: ids → arXiv metadata (batched) → templates → LLM → Markdown on stdout or files. */
import type { ArxivRef } from '../arxiv/arxiv-id.js';
import type { Paper } from '../arxiv/paper.js';
import { ensureDir } from '../output/write-file.js';
import { OrderedSink } from '../output/ordered-sink.js';
import { createContext, type Io } from '../pipeline/context.js';
import { notWrittenYet, postFilesOf, writePostFile } from '../pipeline/deliver.js';
import { fetchPapersArriving } from '../pipeline/metadata.js';
import { readIds } from '../pipeline/read-ids.js';
import { summaryLine } from '../pipeline/report.js';
import { runPapers } from '../pipeline/run-papers.js';
import { showPrompts } from '../pipeline/show-prompts.js';
import { renderJson, renderMarkdown } from '../render/post.js';
import { loadFetchOptions } from '../settings/load.js';
import type { FetchFlags } from '../settings/resolve.js';
import { createProgress } from '../ui/progress.js';

export async function runFetch(args: string[], flags: FetchFlags, io: Io): Promise<number> {
  // Everything that can be wrong with the input is checked before the first request.
  const refs = await readIds(args, io.readStdin);
  const o = await loadFetchOptions(flags, io.env);
  const ctx = await createContext(o, io);
  const { logger } = ctx;
  if (flags.downloadFigures && !o.output) logger.warn('--download-figures needs -o; figures are linked instead');

  // Jekyll's file names start with a date: the day of the run for fetch
  const files = postFilesOf(o, ctx, o.now.toISOString().slice(0, 10), o.json);
  let todo: ArxivRef[] = refs;
  if (files && !o.dryRun) {
    await ensureDir(files.folder.dir);
    todo = notWrittenYet(refs, files);
    if (todo.length === 0) return 0;
  }

  logger.verbose(
    `arXiv: ${o.arxiv.apiUrl}, ${todo.length} id(s), batches of ${o.arxiv.batchSize}, ${o.arxiv.delayMs} ms apart`,
  );
  const metadata = fetchPapersArriving(ctx.arxiv, ctx.cache, todo);
  metadata.done.catch(() => undefined); // awaited below, after the papers that did arrive
  // each paper starts as soon as its metadata is in; one not on arXiv is said when its batch is answered
  const papers = metadata.arriving.map((a) =>
    a.then((m) => {
      if (m.ok) return m.paper;
      if (m.error.code === 'not-found') logger.error(m.error.message);
      return undefined;
    }),
  );
  const arrived = async () => {
    await metadata.done; // arXiv could not be asked at all: that error, once
    logger.verbose(`arXiv: ${ctx.arxiv.requests} request(s)`);
    return (await Promise.all(papers)).filter((p): p is Paper => p !== undefined);
  };

  if (!ctx.llm) {
    const found = await arrived();
    await showPrompts(found, ctx.templates, o.json, io.stdout, ctx.text);
    return found.length < todo.length ? 1 : 0;
  }
  const llm = ctx.llm;
  logger.verbose(
    `LLM: ${o.llm.preset.name} at ${o.llm.baseURL}, model ${llm.facts.model}, ${o.concurrency} call(s) at once, stream ${o.llm.stream}`,
  );

  const live = !o.output && !o.json && io.stdoutIsTTY && o.llm.stream;
  if (live)
    logger.verbose('stdout is a terminal: streaming a preview without front matter (pipe or use -o for the file form)');
  // Markdown posts one after another, a blank line between; JSON and file names one per line
  const sink = new OrderedSink(io.stdout, papers.length, !files && !o.json && !live ? '\n' : '');
  const outcomes = await runPapers({
    ...ctx,
    llm,
    papers,
    concurrency: o.concurrency,
    progress: await createProgress({
      enabled: io.stderrIsTTY && !o.verbose && !o.quiet && !live,
      total: papers.length,
      logger,
    }),
    ...(live ? { live: (i: number) => sink.part(i) } : {}),
    deliver: async (i, result) => {
      const part = sink.part(i);
      if (files) {
        const file = await writePostFile(result, files);
        if (file) part.write(`${file}\n`);
      } else if (o.json) part.write(`${renderJson(result)}\n`);
      else if (!live) part.write(renderMarkdown(result));
    },
    settled: (i) => sink.part(i).end(),
  });
  const notFound = todo.length - (await arrived()).length;
  const all = [
    ...outcomes.filter((x) => x !== undefined),
    ...Array.from({ length: notFound }, () => ({ status: 'failed' as const, reason: 'not found' })),
  ];
  logger.info(summaryLine(all, llm));
  return all.some((x) => x.status !== 'done') ? 1 : 0;
}
