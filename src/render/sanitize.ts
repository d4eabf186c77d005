/** Make model output (and paper text) safe to publish as Markdown in a blog. */
import { escapeHtml } from '../arxiv/latex.js';

/**
 * Apply fn to the parts of a Markdown text outside code, found as CommonMark finds it: a fence is a line of
 * three or more backticks (indented at most three spaces), closed by a line of at least as many, or open to
 * the end; a code span is a backtick run that is not escaped, closed by the next run of the same length
 * within its paragraph. Whatever is not surely code is treated as text (escaped), never the other way round.
 */
function outsideCode(md: string, fn: (s: string) => string): string {
  const lines = md.split('\n');
  const out: string[] = [];
  let text: string[] = [];
  const flush = () => {
    if (text.length) out.push(outsideSpans(text.join('\n'), fn));
    text = [];
  };
  for (let i = 0; i < lines.length;) {
    const open = /^ {0,3}(`{3,})[^`]*$/.exec(lines[i]!);
    if (!open) {
      text.push(lines[i++]!);
      continue;
    }
    const close = new RegExp(`^ {0,3}\`{${open[1]!.length},} *$`);
    let end = i + 1;
    while (end < lines.length && !close.test(lines[end]!)) end++;
    flush();
    out.push(lines.slice(i, Math.min(end + 1, lines.length)).join('\n'));
    i = end + 1;
  }
  flush();
  // the pieces were lines: put the line breaks between them back
  return out.join('\n');
}

function outsideSpans(text: string, fn: (s: string) => string): string {
  const parts: string[] = [];
  let last = 0;
  const runs = /`+/g;
  for (let m = runs.exec(text); m; m = runs.exec(text)) {
    let at = m.index;
    let len = m[0].length;
    let slashes = 0;
    for (let k = at - 1; k >= 0 && text[k] === '\\'; k--) slashes++;
    if (slashes % 2 === 1) {
      // \` is a literal backtick; the rest of the run may still open a span
      at++;
      len--;
      if (!len) continue;
    }
    const closing = /`+/g;
    closing.lastIndex = at + len;
    let close = -1;
    for (let c = closing.exec(text); c; c = closing.exec(text))
      if (c[0].length === len) {
        close = c.index;
        break;
      }
    if (close < 0 || /\n[ \t]*\n/.test(text.slice(at, close))) continue; // literal backticks
    parts.push(fn(text.slice(last, at)), text.slice(at, close + len));
    last = close + len;
    runs.lastIndex = last;
  }
  parts.push(fn(text.slice(last)));
  return parts.join('');
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
