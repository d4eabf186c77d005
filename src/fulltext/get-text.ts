/**
 * A paper's full text: arXiv's HTML rendering, else ar5iv, else the PDF, else the abstract (with a
 * visible warning). Cached per id+version; downloads go through the arXiv client's polite queue.
 */
import { HostDownError, type ArxivClient } from '../arxiv/arxiv-client.js';
import type { Paper } from '../arxiv/paper.js';
import type { Cache } from '../cache/cache.js';
import { errorMessage, isAbortError } from '../errors.js';
import { pdfToSections } from './pdf-text.js';
import type { PaperText } from './types.js';

export interface FullTextOptions {
  htmlUrl: string;
  ar5ivUrl: string;
  pdfUrl: string;
  maxBytes: number;
  arxiv: ArxivClient;
  cache: Cache;
  warn: (msg: string) => void;
  verbose: (msg: string) => void;
}

const DAY = 86_400_000;

export function abstractOnly(paper: Paper): PaperText {
  return { source: 'abstract', sections: [{ heading: 'Abstract', text: paper.abstract }], figures: [] };
}

export async function getPaperText(paper: Paper, o: FullTextOptions): Promise<PaperText> {
  const key = `${paper.id}v${paper.version}`;
  const hit = await o.cache.get<PaperText & { checkedAt?: number }>('fulltext', key);
  // a paper without full text is asked again after a day (arXiv renders HTML some time after announcing)
  if (hit && (hit.source !== 'abstract' || Date.now() - (hit.checkedAt ?? 0) < DAY)) {
    const { checkedAt: _, ...text } = hit;
    return hit.source === 'abstract' ? abstractOnly(paper) : text;
  }
  const tries: Array<{ source: PaperText['source']; label: string; url: string }> = [
    { source: 'html', label: 'HTML', url: `${o.htmlUrl}/${key}` },
    { source: 'ar5iv', label: 'ar5iv', url: `${o.ar5ivUrl}/${paper.id}` },
    { source: 'pdf', label: 'PDF', url: `${o.pdfUrl}/${key}` },
  ];
  // "no full text" is remembered only when every source said so; a failure is not an answer
  let definitive = true;
  const why: string[] = [];
  for (const t of tries) {
    if (o.arxiv.isDown(t.url)) {
      definitive = false;
      why.push(`${t.label}: ${new URL(t.url).host} unreachable`);
      continue;
    }
    try {
      const doc = await o.arxiv.document(t.url, o.maxBytes);
      if (!doc) {
        o.verbose(`${key}: no ${t.source} at ${t.url}`);
        why.push(`${t.label}: none`);
        continue;
      }
      let text: PaperText | undefined;
      if (t.source === 'pdf') {
        if (doc.bytes.subarray(0, 5).toString('latin1') !== '%PDF-') {
          o.verbose(`${key}: ${t.url} is not a PDF`);
          why.push(`${t.label}: not a PDF`);
          continue;
        }
        text = { source: 'pdf', sections: await pdfToSections(new Uint8Array(doc.bytes)), figures: [] };
      } else {
        const html = doc.bytes.toString('utf8');
        if (!/ltx_(document|para|page_main)/.test(html) || /<title>[^<]*No HTML/i.test(html)) {
          o.verbose(`${key}: ${t.url} has no LaTeXML rendering`);
          why.push(`${t.label}: none`);
          continue;
        }
        // the HTML parser is loaded by the first paper read from HTML, not by every run that writes from abstracts
        const { parseLatexml } = await import('./latexml.js');
        text = { source: t.source, ...parseLatexml(html, `${t.url}/`) };
      }
      if (text.sections.reduce((n, s) => n + s.text.length, 0) < 200) {
        o.verbose(`${key}: ${t.source} gave almost no text; trying the next source`);
        why.push(`${t.label}: almost no text`);
        continue;
      }
      await o.cache.set('fulltext', key, text);
      return text;
    } catch (err) {
      // Ctrl-C is not a missing source: stop, and remember nothing
      if (isAbortError(err)) throw err;
      definitive = false;
      if (err instanceof HostDownError) {
        // said once per host for the whole run; later papers skip it without a request
        if (err.fresh)
          o.warn(
            `${new URL(t.url).host} is unreachable: skipping it for the rest of this run (${err.message.replace(/^cannot reach \S+ /, '')})`,
          );
        why.push(`${t.label}: ${new URL(t.url).host} unreachable`);
      } else {
        o.verbose(`${key}: ${t.source} failed (${errorMessage(err)})`);
        why.push(`${t.label}: failed`);
      }
    }
  }
  o.warn(`${key}: no full text (${why.join('; ')}); writing from the abstract only`);
  if (definitive)
    await o.cache.set('fulltext', key, { source: 'abstract', sections: [], figures: [], checkedAt: Date.now() });
  return abstractOnly(paper);
}
