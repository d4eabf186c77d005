/**
 * Where a figure of the writing comes from in the full text: the section (or subsection) whose text
 * states it, and the table or figure when it is in a caption — so a reader can check it: （§4.2，表3）.
 */
import type { PaperText } from '../fulltext/types.js';
import { figuresInChinese, figuresInSource, supported, type Figure } from './figures.js';

export interface Cited {
  figure: string;
  where: string;
}

interface Place {
  section: string;
  caption?: string;
  keys: Set<string>;
}

/** Paragraphs of the full text with the section they sit in (### subsections of the text included). */
function places(text: PaperText): Place[] {
  const out: Place[] = [];
  const body = text.sections.filter((s) => !/^abstract$/i.test(s.heading.trim()));
  const abstract = text.sections.filter((s) => /^abstract$/i.test(s.heading.trim()));
  // the body first: the abstract restates what the body shows
  for (const s of [...body, ...abstract]) {
    let section = label(s.heading);
    for (const para of s.text.split(/\n{2,}/)) {
      const sub = /^#{2,4}\s+(.+)$/.exec(para.trim());
      if (sub) {
        section = label(sub[1]!);
        continue;
      }
      const cap = /^\[(Table|Figure|Fig\.)\s*(\d+)/i.exec(para.trim());
      out.push({
        section,
        ...(cap ? { caption: `${/^t/i.test(cap[1]!) ? '表' : '图'}${cap[2]}` } : {}),
        keys: figuresInSource(para),
      });
    }
  }
  return out;
}

/** "4.2 Results" → §4.2; "Abstract" → 摘要; an unnumbered heading by its name. */
function label(heading: string): string {
  const h = heading.trim();
  if (/^abstract$/i.test(h)) return '摘要';
  const n = /^((?:\d+|[A-Z])(?:\.\d+)*)\.?\s/.exec(h);
  return n ? `§${n[1]}` : `“${h.slice(0, 40)}”`;
}

function whereIs(f: Figure, ps: Place[]): string | undefined {
  const hit = ps.find((p) => supported(f, p.keys));
  return hit && (hit.caption ? `${hit.section}，${hit.caption}` : hit.section);
}

/**
 * The figures of a text that the full text states, each with where it stands; with `insert`, the first
 * mention of each is followed by （§4.2，表3）.
 */
export function citeFigures(written: string, full: PaperText, insert: boolean): { text: string; cited: Cited[] } {
  if (full.source === 'abstract' || !full.sections.length) return { text: written, cited: [] };
  const ps = places(full);
  const cited: Cited[] = [];
  // each citation goes where the clause ends (before ，。；), once per clause
  const at = new Map<number, string[]>();
  for (const f of figuresInChinese(written)) {
    if (cited.some((c) => c.figure === f.text)) continue;
    const where = whereIs(f, ps);
    if (!where) continue;
    cited.push({ figure: f.text, where });
    if (!insert) continue;
    const rest = written.slice(f.at);
    const stop = rest.search(/[，。；！？,;!?\n]|（§|（摘要/);
    const end = f.at + (stop === -1 ? rest.length : stop);
    at.set(end, [...new Set([...(at.get(end) ?? []), where])]);
  }
  let text = written;
  for (const [pos, wheres] of [...at].sort((a, b) => b[0] - a[0]))
    if (!text.startsWith('（§', pos) && !text.startsWith('（摘要', pos))
      text = `${text.slice(0, pos)}（${wheres.join('；')}）${text.slice(pos)}`;
  return { text, cited };
}
