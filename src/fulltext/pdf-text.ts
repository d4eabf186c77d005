/**
 * PDF → sections: text from unpdf (pdf.js), then de-hyphenation, lines rejoined into paragraphs,
 * running headers/footers and page numbers removed, and everything from the references on dropped.
 */
import type { Section } from './types.js';

export async function pdfToSections(bytes: Uint8Array): Promise<Section[]> {
  const { extractText, getDocumentProxy } = await import('unpdf');
  const doc = await getDocumentProxy(bytes);
  const { text } = (await extractText(doc, { mergePages: false })) as { text: string[] };
  return cleanPdfPages(text);
}

const KNOWN =
  /^(?:(?:\d+|[IVX]+)(?:\.\d+)*\.?\s+)?(abstract|introduction|related work|background|preliminaries|method(?:s|ology)?|approach|model|experiments?|experimental setup|results|evaluation|analysis|discussion|conclusions?|limitations|future work|acknowledge?ments?|references|bibliography|appendix|appendices)\b[^.]{0,60}$/i;
const NUMBERED = /^(\d+(?:\.\d+){0,2})\.?\s+[A-Z][A-Za-z0-9 ,:&()\/-]{2,70}$/;
const END = /^(?:(?:\d+|[IVX]+)\.?\s+)?(references|bibliography|appendix|appendices)\b/i;
const PAGE_NO = /^(?:page\s+)?\d{1,4}(?:\s*(?:of|\/)\s*\d{1,4})?$/i;

export function cleanPdfPages(pages: string[]): Section[] {
  const pageLines = pages.map((p) =>
    p
      .split('\n')
      .map((l) => l.replace(/\s+/g, ' ').trim())
      .filter(Boolean),
  );
  // running headers/footers: the same (digits aside) first or last lines on at least half the pages
  const norm = (l: string) => l.replace(/\d+/g, '#').toLowerCase();
  const counts = new Map<string, number>();
  for (const lines of pageLines) {
    const edge = new Set([...lines.slice(0, 2), ...lines.slice(-2)].map(norm));
    for (const e of edge) counts.set(e, (counts.get(e) ?? 0) + 1);
  }
  const threshold = Math.max(2, Math.ceil(pageLines.length / 2));
  const running = new Set([...counts].filter(([, n]) => n >= threshold).map(([k]) => k));
  const lines: string[] = [];
  for (const pl of pageLines) {
    pl.forEach((l, i) => {
      const atEdge = i < 2 || i >= pl.length - 2;
      if (atEdge && (PAGE_NO.test(l) || running.has(norm(l)))) return;
      lines.push(l);
    });
  }
  const sections: Section[] = [];
  let current: { heading: string; lines: string[] } = { heading: 'Front matter', lines: [] };
  const flush = () => {
    const text = joinLines(current.lines);
    if (text) sections.push({ heading: current.heading, text });
  };
  for (const l of lines) {
    if (END.test(l) && l.length < 40) break;
    if ((KNOWN.test(l) || NUMBERED.test(l)) && l.length < 80 && !/[.,;]$/.test(l)) {
      flush();
      current = { heading: l, lines: [] };
      continue;
    }
    current.lines.push(l);
  }
  flush();
  // the title/author block is noise once a real abstract or introduction was found
  if (sections.length > 1 && sections[0]!.heading === 'Front matter') sections.shift();
  return sections;
}

function joinLines(lines: string[]): string {
  if (lines.length === 0) return '';
  const lengths = lines.map((l) => l.length).sort((a, b) => a - b);
  const typical = lengths[Math.floor(lengths.length / 2)] ?? 60;
  const paras: string[] = [];
  let buf = '';
  for (const l of lines) {
    if (!buf) buf = l;
    else if (/[A-Za-z]-$/.test(buf) && /^[a-z]/.test(l))
      buf = buf.slice(0, -1) + l; // de-hyphenate
    else buf = `${buf} ${l}`;
    if (/[.!?:]$/.test(l) && l.length < typical * 0.6) {
      paras.push(buf);
      buf = '';
    }
  }
  if (buf) paras.push(buf);
  return paras.join('\n\n');
}
