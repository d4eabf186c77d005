/** `digest check FILE|DIR...`: every check of the writing, on posts as they are on disk; exit 1 on a problem. */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { createCache, NO_CACHE } from '../cache/cache.js';
import { checkPostText, type Finding, type PostCheck } from '../check/post-file.js';
import { dayTermFindings } from '../check/terms.js';
import { usageError } from '../errors.js';
import type { PaperText } from '../fulltext/types.js';
import type { Io } from '../pipeline/context.js';
import { loadFetchOptions } from '../settings/load.js';
import type { FetchFlags } from '../settings/resolve.js';
import { loadGlossary } from '../templates/glossary.js';
import { templateSet } from '../templates/template.js';

interface FileReport {
  file: string;
  id?: string;
  ok: boolean;
  problems: Array<Omit<Finding, 'level'>>;
  warnings: Array<Omit<Finding, 'level'>>;
}

async function markdownFiles(targets: string[]): Promise<string[]> {
  const out: string[] = [];
  const walk = async (p: string, top: boolean): Promise<void> => {
    let s;
    try {
      s = await stat(p);
    } catch (err) {
      if (!top) return;
      throw usageError(
        `${p}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'}); expected a post file or a folder of posts`,
      );
    }
    if (s.isDirectory()) {
      for (const name of (await readdir(p)).sort())
        if (!name.startsWith('.') && name !== 'node_modules') await walk(path.join(p, name), false);
    } else if (/\.(md|markdown)$/i.test(p) || top) out.push(p);
  };
  for (const t of targets) await walk(t, true);
  return out;
}

export async function runCheck(targets: string[], flags: FetchFlags & { json?: boolean }, io: Io): Promise<number> {
  if (!targets.length) throw usageError('digest check: name a post file or a folder of posts');
  const o = await loadFetchOptions(flags, io.env);
  const files = await markdownFiles(targets);
  const set = templateSet(o.templateDir);
  const names = await set.list();
  const qaTpl = names.find((t) => t.kind === 'qa' && t.name === 'qa') ?? names.find((t) => t.kind === 'qa');
  const postTpl = names.find((t) => t.kind === 'post' && t.name === 'post') ?? names.find((t) => t.kind === 'post');
  const cache = o.cacheDir ? createCache(o.cacheDir) : NO_CACHE;
  const ctx = {
    site: o.site,
    qa:
      qaTpl && o.templateNames.includes(qaTpl.name)
        ? { heading: qaTpl.heading, questions: qaTpl.questions }
        : undefined,
    explainerHeading: postTpl?.heading ?? '解读',
    terms: loadGlossary(o.writing.glossary),
    fullText: async (id: string, version: number) => {
      const t = await cache.get<PaperText>('fulltext', `${id}v${version}`);
      return t && t.source !== 'abstract' ? t.sections.map((s) => `${s.heading}\n${s.text}`).join('\n') : undefined;
    },
  };
  const reports: FileReport[] = [];
  const usage: Array<{ id: string; usage: NonNullable<PostCheck['termUsage']> }> = [];
  for (const file of files) {
    let raw: string;
    try {
      raw = await readFile(file, 'utf8');
    } catch (err) {
      throw usageError(`${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const r = await checkPostText(raw, ctx);
    if (r.kind !== 'post') continue;
    if (r.termUsage && r.id) usage.push({ id: r.id, usage: r.termUsage });
    const strip = ({ check, message }: Finding) => ({ check, message });
    const problems = r.findings.filter((f) => f.level === 'problem').map(strip);
    reports.push({
      file,
      ...(r.id ? { id: r.id } : {}),
      ok: problems.length === 0,
      problems,
      warnings: r.findings.filter((f) => f.level === 'warning').map(strip),
    });
  }
  if (!reports.length)
    throw usageError(`no digest post (a Markdown file with arxiv_id in its front matter) in ${targets.join(', ')}`);
  const across = dayTermFindings(usage);
  const bad = reports.filter((r) => !r.ok).length;
  if (flags.json) {
    io.stdout(
      `${JSON.stringify({ posts: reports, terms_across_posts: across, checked: reports.length, with_problems: bad })}\n`,
    );
  } else {
    for (const r of reports) {
      const counts = [
        r.problems.length ? `${r.problems.length} problem(s)` : '',
        r.warnings.length ? `${r.warnings.length} warning(s)` : '',
      ].filter(Boolean);
      io.stdout(`${r.file}: ${counts.length ? counts.join(', ') : 'ok'}\n`);
      for (const f of r.problems) io.stdout(`  problem  ${f.check}: ${f.message}\n`);
      for (const f of r.warnings) io.stdout(`  warning  ${f.check}: ${f.message}\n`);
    }
    for (const t of across) io.stdout(`terms across the posts: ${t}\n`);
    io.stdout(`checked ${reports.length} post(s): ${bad ? `${bad} with problems` : 'no problems'}\n`);
  }
  return bad ? 1 : 0;
}
