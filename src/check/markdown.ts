/**
 * Markdown a model sends that would break a blog, repaired where the intent is clear and reported where
 * it is not: an unclosed code fence is closed before the next heading (not at the end, which would turn
 * the rest of the post into code); a `---` under a paragraph becomes a rule, not a setext heading;
 * harmless inline HTML (<br>, <b>, <em>, <sup>…) becomes Markdown or text; other HTML and unbalanced math
 * are problems for the model to fix.
 */
import { MODEL_FRONT_MATTER, stripWrappers } from '../llm/text-checks.js';

export interface Repaired {
  text: string;
  /** What could not be repaired, in words the model is asked to fix. */
  problems: string[];
}

const FENCE = /^\s{0,3}(`{3,}|~{3,})/;

function closeFences(md: string): string {
  const lines = md.split('\n');
  let open: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const m = FENCE.exec(lines[i]!);
    if (m) {
      if (!open) open = m[1]![0]!.repeat(m[1]!.length);
      else if (lines[i]!.trim().startsWith(open)) open = undefined;
      continue;
    }
    // a heading inside an open fence: the model forgot to close it before going on
    if (open && /^#{1,3}\s+\S/.test(lines[i]!)) {
      let at = i;
      while (at > 0 && !lines[at - 1]!.trim()) at--;
      lines.splice(at, 0, open);
      open = undefined;
      i++;
    }
  }
  if (open) lines.push(open);
  return lines.join('\n');
}

/** Apply fn outside fenced code and inline code. */
function outsideCode(md: string, fn: (s: string) => string): string {
  const parts = md.split(/(^\s{0,3}(?:`{3,}|~{3,})[^\n]*\n[\s\S]*?^\s{0,3}(?:`{3,}|~{3,})[^\n]*$|`[^`\n]+`)/gm);
  return parts.map((p, i) => (i % 2 === 1 ? p : fn(p))).join('');
}

const INLINE: Array<[RegExp, string]> = [
  [/<br\s*\/?>/gi, '\n'],
  [/<\/?(?:b|strong)>/gi, '**'],
  [/<\/?(?:i|em)>/gi, '*'],
  [/<\/?(?:p|div|span|u|sup|sub|small|mark|font|center)(?:\s[^<>]*)?>/gi, ''],
];

export function repairMarkdown(raw: string): Repaired {
  // reasoning and a fence around the whole answer are wrappers, not content; the model's own front
  // matter is left for the parser (its `---` lines are not rules)
  const whole = stripWrappers(raw);
  const head = MODEL_FRONT_MATTER.exec(whole)?.[0] ?? '';
  const { text, problems } = repairBody(whole.slice(head.length));
  return { text: head + text, problems };
}

/** The text outside fenced code blocks. */
function withoutCode(md: string): string {
  return md.replace(/^\s{0,3}(?:`{3,}|~{3,})[^\n]*\n[\s\S]*?^\s{0,3}(?:`{3,}|~{3,})[^\n]*$/gm, '');
}

/** HTML tag names outside code: a tag name then a space, / or > (so <https://…> autolinks are not HTML). */
export function htmlTags(md: string): string[] {
  const tags = withoutCode(md)
    .replace(/`[^`\n]+`/g, '')
    .matchAll(/<\/?([a-z][a-z0-9-]*)(?=[\s/>])[^<>]*>/gi);
  return [...new Set([...tags].map((m) => m[1]!.toLowerCase()))];
}

function repairBody(raw: string): Repaired {
  const problems: string[] = [];
  let text = closeFences(raw);
  text = outsideCode(text, (t) => {
    let s = t;
    for (const [re, to] of INLINE) s = s.replace(re, to);
    // a rule right under a paragraph line would make that line a heading
    s = s.replace(/^([^\n#>|\s-][^\n]*)\n(\s{0,3}(?:-{3,}|={3,})\s*)$/gm, (_, line: string, rule: string) =>
      rule.includes('=') ? line : `${line}\n\n${rule.trim()}`,
    );
    return s;
  });
  const prose = withoutCode(text);
  const html = htmlTags(text);
  if (html.length) problems.push(`回答里有 HTML 标签（${[...new Set(html)].join('、')}），请只用 Markdown`);
  const math = prose.replace(/`[^`\n]+`/g, '').replace(/\\\$/g, '');
  if ((math.match(/\$\$/g)?.length ?? 0) % 2 === 1) problems.push('有一个 $$ 公式没有闭合');
  else {
    const unbalanced = math
      .replace(/\$\$[\s\S]*?\$\$/g, '')
      .split(/\n{2,}/)
      .find((p) => (p.match(/(?<!\$)\$(?!\$)/g)?.length ?? 0) % 2 === 1 && !/\$\s?\d/.test(p));
    if (unbalanced) problems.push(`这一段的 $ 公式没有闭合：「${unbalanced.trim().slice(0, 40)}」`);
  }
  return { text, problems };
}
