/** Make model output (and paper text) safe to publish as Markdown in a blog. */
import { escapeHtml } from '../arxiv/latex.js';

/** Apply fn to the parts of a Markdown text outside code fences and inline code. */
function outsideCode(md: string, fn: (s: string) => string): string {
  const parts = md.split(/(```[\s\S]*?(?:```|$)|`[^`\n]+`)/g);
  return parts.map((p, i) => (i % 2 === 1 ? p : fn(p))).join('');
}

export function neutraliseLinks(s: string): string {
  return s
    .replace(/\]\(\s*(javascript|vbscript|data|file):/gi, '](#blocked-$1:')
    .replace(/<(javascript|vbscript|data):/gi, '&lt;$1:');
}

/** Escape raw HTML, block script-ish links, keep headings between ## and ###, close a dangling fence. */
export function sanitizeModelMarkdown(md: string): string {
  let s = md.replace(/\r\n?/g, '\n').trim();
  if ((s.match(/^```/gm)?.length ?? 0) % 2 === 1) s += '\n```';
  s = outsideCode(s, (t) =>
    neutraliseLinks(escapeHtml(t))
      .replace(/^#\s+/gm, '## ')
      .replace(/^#{4,}\s+/gm, '### '),
  );
  return s;
}

/** For answers nested under a ### question: no headings of their own, bold lines instead. */
export function flattenHeadings(md: string): string {
  return outsideCode(md, (t) => t.replace(/^#{1,6}\s+(.+?)\s*#*\s*$/gm, '**$1**'));
}

/** For text nested under a ## heading: its ## become ###, anything deeper becomes a bold line. */
export function demoteHeadings(md: string): string {
  return outsideCode(md, (t) => t.replace(/^#{3,6}\s+(.+?)\s*#*\s*$/gm, '**$1**').replace(/^##\s+/gm, '### '));
}
