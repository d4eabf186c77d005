/** `digest fetch`: ids → arXiv metadata (batched) → templates → LLM → Markdown on stdout or files. */
import { ArxivClient } from '../arxiv/arxiv-client.js';
import { refKey, type ArxivRef } from '../arxiv/arxiv-id.js';
import type { Paper } from '../arxiv/paper.js';
import { requireKey, type CommonFlags, type Env, type Settings } from '../config.js';
import { DigestError } from '../errors.js';
import { createSdk } from '../llm/create-sdk.js';
import { LlmClient } from '../llm/llm-client.js';
import { OrderedSink } from '../output/ordered-sink.js';
import { localiseFigure } from '../output/figures.js';
import { ensureDir, outputPath, writeAtomic } from '../output/write-file.js';
import { renderJson, renderMarkdown } from '../render/post.js';
import { templateSet, type Template } from '../templates/template.js';
import type { Logger } from '../ui/logger.js';
import { createProgress } from '../ui/progress.js';
import { loadSettings, openCache, textDeps, type TextDeps } from './context.js';
import { keyFigure } from './prompt-build.js';
import { runBatch, summaryLine } from './batch.js';
import { collectRefs } from './inputs.js';
import { fetchPapersCached } from './papers.js';
import { buildMessages } from './write-paper.js';

export interface FetchFlags extends CommonFlags {
  output?: string;
  force?: boolean;
  json?: boolean;
  dryRun?: boolean;
  downloadFigures?: boolean;
}

export interface Io {
  env: Env;
  stdout: (s: string) => void;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  readStdin: () => Promise<string[]>;
  signal: AbortSignal;
  logger: Logger;
}

export async function loadTemplates(settings: Settings): Promise<Template[]> {
  const set = templateSet(settings.promptsDir);
  const list = await Promise.all(settings.kinds.map((k) => set.get(k)));
  const overview = list.find((t) => t.kind === 'overview');
  if (overview) throw new DigestError('usage', `--kind ${overview.name}: an overview template writes the digest page of digest daily; it is not a per-paper kind`);
  return list;
}

export function createLlm(settings: Settings, logger: Logger): LlmClient {
  const s = settings.llm;
  const apiKey = requireKey(s);
  return new LlmClient({
    ...s,
    apiKey,
    log: (m) => logger.warn(m),
    createClient: () => createSdk({ apiKey, baseURL: s.baseURL, timeoutMs: s.idleTimeoutMs }),
  });
}

export async function runFetch(args: string[], flags: FetchFlags, io: Io): Promise<number> {
  const { logger } = io;
  // Everything that can be wrong with the input is checked before the first request.
  const refs = await collectRefs(args, io.readStdin);
  const settings = await loadSettings(flags, io.env);
  const templates = await loadTemplates(settings);
  const llm = flags.dryRun ? undefined : createLlm(settings, logger);
  if (flags.output === '') throw new DigestError('usage', '-o: empty folder name');
  if (flags.downloadFigures && !flags.output) logger.warn('--download-figures needs -o; figures are linked instead');

  let todo: ArxivRef[] = refs;
  if (flags.output && !flags.dryRun) {
    await ensureDir(flags.output);
    const { existsSync } = await import('node:fs');
    todo = refs.filter((r) => {
      const file = outputPath(flags.output!, r.id, flags.json ? 'json' : 'md');
      if (!flags.force && existsSync(file)) {
        logger.info(`skip ${refKey(r)}: ${file} exists (use --force to overwrite)`);
        return false;
      }
      return true;
    });
    if (todo.length === 0) return 0;
  }

  const cache = openCache(settings, logger);
  const arxiv = new ArxivClient({ ...settings.arxiv, signal: io.signal, log: (m) => logger.warn(m) });
  const text = textDeps(settings, arxiv, cache, logger);
  logger.verbose(`arXiv: ${settings.arxiv.apiUrl}, ${todo.length} id(s), batches of ${settings.arxiv.batchSize}, ${settings.arxiv.delayMs} ms apart`);
  const metadata = await fetchPapersCached(arxiv, cache, todo);
  logger.verbose(`arXiv: ${arxiv.requests} request(s)`);

  const papers: Paper[] = [];
  for (const r of todo) {
    const o = metadata.get(refKey(r))!;
    if (o.ok) papers.push(o.paper);
    else logger.error(o.error.message);
  }

  if (flags.dryRun) {
    await printPrompts(papers, templates, flags.json === true, io.stdout, text);
    return papers.length < todo.length ? 1 : 0;
  }
  const client = llm!;
  logger.verbose(`LLM: ${settings.llm.preset.name} at ${settings.llm.baseURL}, model ${client.opts.model}, ${settings.concurrency} call(s) at once, stream ${settings.llm.stream}`);

  const live = !flags.output && !flags.json && io.stdoutIsTTY && settings.llm.stream;
  if (live) logger.verbose('stdout is a terminal: streaming a preview without front matter (pipe or use -o for the file form)');
  const sink = new OrderedSink(io.stdout, papers.length);
  const progress = await createProgress({ enabled: io.stderrIsTTY && !flags.verbose && !flags.quiet && !live, total: papers.length, logger });
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
    ...(live ? { live: (i: number) => sink.part(i) } : {}),
    deliver: async (i, result) => {
      const part = sink.part(i);
      if (flags.output) {
        if (flags.downloadFigures) result = await localiseFigure(result, flags.output, arxiv, settings.fulltext.maxBytes, (m) => logger.warn(m));
        const file = outputPath(flags.output, result.paper.id, flags.json ? 'json' : 'md');
        const content = flags.json ? `${renderJson(result)}\n` : renderMarkdown(result);
        if (await writeAtomic(file, content, flags.force === true)) part.write(`${file}\n`);
        else logger.info(`skip ${result.paper.id}: ${file} appeared meanwhile (use --force to overwrite)`);
      } else if (flags.json) {
        part.write(`${renderJson(result)}\n`);
      } else if (!live) {
        part.write(i > 0 ? `\n${renderMarkdown(result)}` : renderMarkdown(result));
      }
    },
    settled: (i) => sink.part(i).end(),
  });
  const notFound = todo.length - papers.length;
  const all = [...outcomes, ...Array.from({ length: notFound }, () => ({ status: 'failed' as const, reason: 'not found' }))];
  logger.info(summaryLine(all, client));
  return all.some((o) => o.status !== 'done') ? 1 : 0;
}

async function printPrompts(papers: Paper[], templates: Template[], json: boolean, out: (s: string) => void, text: TextDeps): Promise<void> {
  for (const paper of papers) {
    const full = templates.some((t) => text.sourceFor(t) === 'full') ? await text.getText(paper) : undefined;
    for (const tpl of templates) {
      const built = buildMessages(paper, tpl, {
        ...(text.sourceFor(tpl) === 'full' && full ? { text: full } : {}),
        contextTokens: text.contextTokens,
        ...(tpl.kind === 'post' && keyFigure(full) ? { figure: keyFigure(full)! } : {}),
      });
      const messages = [...built.messages, ...(built.questions ?? [])];
      if (json) {
        out(`${JSON.stringify({ arxiv_id: paper.id, arxiv_version: paper.version, template: tpl.name, template_hash: tpl.hash, temperature: tpl.temperature ?? null, max_tokens: tpl.maxTokens ?? null, messages })}\n`);
        continue;
      }
      for (const m of messages) {
        out(`===== ${paper.id}v${paper.version} · ${tpl.name} · ${m.role} =====\n${m.content}\n\n`);
      }
    }
  }
}
