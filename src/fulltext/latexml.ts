/**
 * arXiv's HTML rendering (LaTeXML) → sections of plain Markdown-ish text.
 * Math becomes $…$ / $$…$$ from the alttext; navigation, footnotes, bibliography and appendices are
 * dropped; figure and table captions are kept in place; figures are listed for the post.
 */
import { parse, type HTMLElement, type Node } from 'node-html-parser';
import type { Figure, Section } from './types.js';

const DROP = [
  'nav',
  'header',
  'footer',
  'script',
  'style',
  'button',
  'noscript',
  '.ltx_page_navbar',
  '.ltx_page_header',
  '.ltx_page_footer',
  '.ltx_bibliography',
  '.ltx_appendix',
  '.ltx_note',
  '.ltx_authors',
  '.ltx_dates',
  '.ltx_role_footnote',
  '.ltx_TOC',
  '.ltx_pagination',
  '#header',
  '.ar5iv-footer',
  '.package-alerts',
  '.ltx_eqn_eqno',
];

export function parseLatexml(html: string, baseUrl: string): { sections: Section[]; figures: Figure[] } {
  const root = parse(html, { comment: false, blockTextElements: { script: false, style: false, pre: true } });
  const doc =
    root.querySelector('article.ltx_document') ?? root.querySelector('article') ?? root.querySelector('body') ?? root;
  for (const sel of DROP) for (const el of doc.querySelectorAll(sel)) el.remove();
  for (const m of doc.querySelectorAll('math')) {
    const tex = (m.getAttribute('alttext') ?? m.textContent).replace(/\s+/g, ' ').trim();
    const display = m.getAttribute('display') === 'block';
    const out = tex ? (display ? `\n\n$$${tex}$$\n\n` : `$${tex}$`) : '';
    // replaceWith parses HTML: escape so a "<" in the TeX stays text
    m.replaceWith(out.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
  }
  // figures, before their captions are flattened into text
  const figures: Figure[] = [];
  for (const f of doc.querySelectorAll('figure.ltx_figure')) {
    if (f.classList.contains('ltx_table')) continue;
    const img = f.querySelector('img');
    const src = img?.getAttribute('src');
    if (!img || !src) continue;
    figures.push({
      src: new URL(src, baseUrl).toString(),
      caption: clean(f.querySelector('figcaption')?.textContent ?? ''),
    });
  }
  const sections: Section[] = [];
  const abstract = doc.querySelector('.ltx_abstract');
  if (abstract) {
    abstract.querySelector('.ltx_title')?.remove();
    sections.push({ heading: 'Abstract', text: blocks(abstract).join('\n\n') });
  }
  const tops = doc.querySelectorAll('section.ltx_section');
  for (const s of tops) {
    const title = s.querySelector('.ltx_title');
    const heading = clean(title?.textContent ?? '');
    title?.remove();
    const text = blocks(s).join('\n\n');
    if (heading || text) sections.push({ heading: heading || 'Section', text });
  }
  if (sections.length <= (abstract ? 1 : 0)) {
    // not sectioned (short notes): take the paragraphs as one body
    const body = blocks(doc).join('\n\n');
    if (body) sections.push({ heading: 'Body', text: body });
  }
  return { sections, figures };
}

const BLOCK = new Set(['p', 'li', 'figcaption', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table', 'pre', 'blockquote']);

/** Paragraph-level texts in document order: subsection titles as "### ", captions in brackets. */
function blocks(el: HTMLElement): string[] {
  const out: string[] = [];
  const walk = (n: Node) => {
    if (n.nodeType !== 1) return;
    const e = n as HTMLElement;
    const tag = e.tagName?.toLowerCase() ?? '';
    if (BLOCK.has(tag) || e.classList?.contains('ltx_equation')) {
      const t = clean(e.textContent);
      if (!t) return;
      if (/^h[1-6]$/.test(tag) || e.classList.contains('ltx_title')) out.push(`### ${t}`);
      else if (tag === 'figcaption') out.push(`[${t}]`);
      else if (tag === 'li') out.push(`- ${t}`);
      else if (tag === 'table' && !e.classList.contains('ltx_equation') && !e.classList.contains('ltx_equationgroup'))
        return; // table bodies: too noisy; captions are kept
      else out.push(t);
      return;
    }
    for (const c of e.childNodes) walk(c);
  };
  for (const c of el.childNodes) walk(c);
  return out;
}

function clean(s: string): string {
  return s
    .replace(/&nbsp;/g, ' ')
    .replace(/[ \t\r\f\v\u00a0]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
