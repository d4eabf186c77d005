/** Make model output (and paper text) safe to publish as Markdown in a blog. */
import { escapeHtml } from '../arxiv/latex.js';

/** Apply fn to the parts of a Markdown text outside code fences and inline code. */
function outsideCode(md: string, fn: (s: string) => string): string {
  const parts = md.split(/(```[\s\S]*?(?:```|$)|`[^`\n]+`)/g);
  return parts.map((p, i) => (i % 2 === 1 ? p : fn(p))).join('');
}

const NAMED = new Map(
  Object.entries({
    colon: ':',
    tab: '\t',
    newline: '\n',
    amp: '&',
    sol: '/',
    lpar: '(',
    rpar: ')',
    period: '.',
    lt: '<',
    gt: '>',
  }),
);

/** A link destination as a Markdown renderer will follow it: entities and %-escapes decoded, blanks gone. */
function followed(dest: string): string {
  let d = dest.replace(/^<|>$/g, '');
  for (let i = 0; i < 3; i++) {
    const before = d;
    d = d
      // a backslash-escaped character is the character itself in a destination ("javascript\:" is "javascript:")
      .replace(/\\([!-/:-@[-`{-~])/g, '$1')
      .replace(/&#x([0-9a-f]+);?/gi, (_, h: string) => String.fromCodePoint(Math.min(parseInt(h, 16), 0x10ffff)))
      .replace(/&#(\d+);?/g, (_, n: string) => String.fromCodePoint(Math.min(Number(n), 0x10ffff)))
      .replace(/&([a-z]+);/gi, (m, name: string) => NAMED.get(name.toLowerCase()) ?? m)
      .replace(/%([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    if (d === before) break;
  }
  // renderers and browsers drop controls and blanks inside a scheme ("java\tscript:")
  return d.replace(/[\u0000-\u0020\u007f-\u009f\u00ad\u200b-\u200f\ufeff]/g, '').replace(/^<+/, '');
}

/** http, https, mailto and relative links pass; any other scheme (javascript:, data:, file:, vbscript:…) is blocked. */
function safeDestination(dest: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(followed(dest))?.[1]?.toLowerCase();
  if (!scheme || scheme === 'http' || scheme === 'https' || scheme === 'mailto') return dest;
  return `#blocked-${scheme}:`;
}

/** Links whose destination is not http(s), mailto or relative are made harmless: inline, images, references. */
export function neutraliseLinks(s: string): string {
  return s
    .replace(/(\]\(\s*)(<[^>\n]*>|[^\s)]+)/g, (_, open: string, dest: string) => open + safeDestination(dest))
    .replace(
      // the destination may be on the line after the label
      /^( {0,3}\[[^\]\n]+\]:[ \t]*(?:\n[ \t]*)?)(<[^>\n]*>|\S+)/gm,
      (_, open: string, dest: string) => open + safeDestination(dest),
    )
    .replace(/<([a-z][a-z0-9+.-]*):/gi, (m, scheme: string) =>
      /^(https?|mailto)$/i.test(scheme) ? m : `&lt;${scheme}:`,
    );
}

/** Escape raw HTML, block script-ish links, keep headings between ## and ###, close a dangling fence. */
export function sanitizeModelMarkdown(md: string): string {
  let s = md.replace(/\r\n?/g, '\n').trim();
  if ((s.match(/^```/gm)?.length ?? 0) % 2 === 1) s += '\n```';
  s = outsideCode(s, (t) =>
    neutraliseLinks(escapeHtml(t))
      // [ \t], not \s: "#" alone on a line must not take the next line (a ``` fence) into a heading
      .replace(/^#[ \t]+/gm, '## ')
      .replace(/^#{4,}[ \t]+/gm, '### '),
  );
  return s;
}

/** For answers nested under a ### question: no headings of their own, bold lines instead. */
export function flattenHeadings(md: string): string {
  return outsideCode(md, (t) => t.replace(/^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$/gm, '**$1**'));
}

/** For text nested under a ## heading: its ## become ###, anything deeper becomes a bold line. */
export function demoteHeadings(md: string): string {
  return outsideCode(md, (t) =>
    t.replace(/^#{3,6}[ \t]+(.+?)[ \t]*#*[ \t]*$/gm, '**$1**').replace(/^##[ \t]+/gm, '### '),
  );
}
