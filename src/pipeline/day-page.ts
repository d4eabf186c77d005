/** The end of digest daily: the page's entries, its overview, and the page itself (the folder's index, always rebuilt). */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Cache } from '../cache/cache.js';
import type { Llm } from '../llm/llm-client.js';
import type { PostFolder } from '../output/post-folder.js';
import { writeAtomic } from '../output/write-file.js';
import { digestFileName, renderDigestPage, type DigestEntry } from '../render/digest-page.js';
import type { SiteName } from '../render/site.js';
import type { Template } from '../templates/template.js';
import type { Logger } from '../ui/logger.js';
import { redact } from '../ui/redact.js';
import { version } from '../version.js';
import { entryFromResult } from './digest-entries.js';
import { dayTermFindings } from '../check/terms.js';
import type { Lang } from '../templates/glossary.js';
import { writeOverview, type Overview } from './overview.js';
import type { PaperOutcome } from './run-papers.js';

export interface DayPage {
  date: string;
  categories: string[];
  outcomes: PaperOutcome[];
  /** Posts kept from an earlier run, by paper index. */
  existing: Map<number, DigestEntry>;
  /** The papers beyond --top, listed after the written ones. */
  listed: DigestEntry[];
  /** Rank and code links by paper id. */
  extras: Map<string, Pick<DigestEntry, 'rank' | 'code'>>;
  /** The posts' folder; undefined = the page goes to stdout and links arXiv. */
  folder: PostFolder | undefined;
  site: SiteName;
  templates: Template[];
  overviewTpl: Template;
  llm: Llm;
  cache: Cache;
  now: Date;
  provider: string;
  signal: AbortSignal;
  logger: Logger;
  stdout: (s: string) => void;
  /** The Chinese variant of the page. */
  lang?: Lang;
}

/** Writes (or prints) the page; returns false when the overview failed and the page went out without it. */
export async function writeDayPage(o: DayPage): Promise<boolean> {
  const entries: DigestEntry[] = [];
  const written = o.outcomes.map((x, i) => (x.status === 'done' ? entryFromResult(x.result) : o.existing.get(i)));
  [...written, ...o.listed].forEach((found) => {
    if (!found) return;
    const e = { ...found, ...o.extras.get(found.id) };
    const file = o.folder?.existing(e.id);
    entries.push(
      file
        ? { ...e, link: `./${o.folder!.relative(file)}`, file: o.folder!.relative(file) }
        : { ...e, link: `https://arxiv.org/abs/${e.id}v${e.version}` },
    );
  });
  const file = o.folder && path.join(path.resolve(o.folder.dir), digestFileName(o.date, o.categories));
  if (entries.length === 0) {
    // a page of no papers would replace the folder's index with nothing
    o.logger.info(
      `no post written or kept: no digest page${file && existsSync(file) ? ` (${file} is left as it was)` : ''}`,
    );
    return true;
  }

  let overviewOk = true;
  let overview: Overview | undefined;
  if (entries.length > 0) {
    try {
      overview = await writeOverview({
        tpl: o.overviewTpl,
        entries,
        date: o.date,
        categories: o.categories,
        llm: o.llm,
        cache: o.cache,
        signal: o.signal,
        ...(o.lang ? { lang: o.lang } : {}),
      });
    } catch (err) {
      if (o.signal.aborted) throw err;
      overviewOk = false;
      o.logger.error(`digest overview: ${redact((err as Error).message)}; the page is written without it`);
    }
  }
  if (overview?.problems.length)
    o.logger.warn(
      `digest overview: ${overview.problems.join('; ')}; the page is written as a draft (digest.problems in its front matter)`,
    );
  // one term written two ways across the day's posts: said once, for the editor (not a failure)
  const terms = dayTermFindings(
    o.outcomes.flatMap((x) =>
      x.status === 'done' && x.result.termUsage ? [{ id: x.result.paper.id, usage: x.result.termUsage }] : [],
    ),
  );
  for (const t of terms) o.logger.warn(`terms across the day: ${t}`);
  const page = renderDigestPage({
    ...(terms.length ? { terms } : {}),
    ...(o.lang ? { lang: o.lang } : {}),
    date: o.date,
    categories: o.categories,
    overview: overview?.text,
    ...(overview?.problems.length ? { overviewProblems: overview.problems } : {}),
    overviewHeading: o.overviewTpl.heading,
    entries,
    generatedAt: o.now,
    generator: `arxiv-digest ${version()}`,
    provider: o.provider,
    model: o.llm.facts.model,
    templates: [...o.templates, o.overviewTpl].map((t) => ({ name: t.name, hash: t.hash })),
    site: o.site,
  });
  if (file) {
    await writeAtomic(file, page, true);
    o.stdout(`${file}\n`);
  } else {
    o.stdout(page);
  }
  return overviewOk;
}
