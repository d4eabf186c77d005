/**
 * A paper's full text: arXiv's HTML rendering, else ar5iv, else the PDF, else the abstract (with a
 * visible warning). Cached per id+version; downloads go through the arXiv client's polite queue.
 */
import type { ArxivClient } from '../arxiv/arxiv-client.js';
import type { Paper } from '../arxiv/paper.js';
import type { Cache } from '../cache/cache.js';
import { errorMessage } from '../errors.js';
import { parseLatexml } from './latexml.js';
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
  const tries: Array<{ source: PaperText['source']; url: string }> = [
    { source: 'html', url: `${o.htmlUrl}/${key}` },
    { source: 'ar5iv', url: `${o.ar5ivUrl}/${paper.id}` },
    { source: 'pdf', url: `${o.pdfUrl}/${key}` },
  ];
  for (const t of tries) {
    try {
      const doc = await o.arxiv.document(t.url, o.maxBytes);
      if (!doc) {
        o.verbose(`${key}: no ${t.source} at ${t.url}`);
        continue;
      }
      let text: PaperText | undefined;
      if (t.source === 'pdf') {
        if (doc.bytes.subarray(0, 5).toString('latin1') !== '%PDF-') {
          o.verbose(`${key}: ${t.url} is not a PDF`);
          continue;
        }
        text = { source: 'pdf', sections: await pdfToSections(new Uint8Array(doc.bytes)), figures: [] };
      } else {
        const html = doc.bytes.toString('utf8');
        if (!/ltx_(document|para|page_main)/.test(html) || /<title>[^<]*No HTML/i.test(html)) {
          o.verbose(`${key}: ${t.url} has no LaTeXML rendering`);
          continue;
        }
        text = { source: t.source, ...parseLatexml(html, `${t.url}/`) };
      }
      if (text.sections.reduce((n, s) => n + s.text.length, 0) < 200) {
        o.verbose(`${key}: ${t.source} gave almost no text; trying the next source`);
        continue;
      }
      await o.cache.set('fulltext', key, text);
      return text;
    } catch (err) {
      o.verbose(`${key}: ${t.source} failed (${errorMessage(err)})`);
    }
  }
  o.warn(`${key}: no full text (HTML, ar5iv and PDF all unavailable); writing from the abstract only`);
  await o.cache.set('fulltext', key, { source: 'abstract', sections: [], figures: [], checkedAt: Date.now() });
  return abstractOnly(paper);
}
