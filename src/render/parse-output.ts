/**
 * Turn the model's post into its parts: the Chinese title, the lede, the translated figure caption and
 * the body. Accepts the shapes real models send, not only the one the prompt asks for: the title as
 * `# …`, `## …`, `**…**`, `标题：…` or a first short line (or in a front-matter block of the model's own),
 * the lede with or without `>`, a preamble, a fence around everything, stray `---` rules, a sign-off.
 */
import { isPreambleLine, stripClosing, unwrapAnswer } from './answer-text.js';
import { demoteHeadings, sanitizeModelMarkdown } from './sanitize.js';

export interface ParsedPost {
  /** '' when the answer has no recognisable title (the caller asks for one). */
  titleZh: string;
  /** The 2–3 sentence lede, or '' when the answer has none. */
  lede: string;
  /** The translated caption of the key figure (a last line "图注：…"), or ''. */
  figureCaption: string;
  body: string;
}

/** Section names the prompt asks for: a first `## …` line that reads like one of them is not a title. */
const SECTION_LIKE =
  /^(为什么|为何|背景|引言|介绍|问题|方法|核心|思路|效果|结果|实验|局限|展望|未来|小结|总结|结语|写在最后)/;
const RULE = /^\s*([-*_])(\s*\1){2,}\s*$/;

export function cleanTitle(t: string): string {
  return t
    .replace(/^(标题|题目|Title)\s*[:：]\s*/i, '')
    .replace(/\*\*|__|[`<>]/g, '')
    .replace(/^[《“"'「](.*)[》”"'」]$/, '$1')
    .replace(/[《》]/g, '')
    .trim();
}

export function parsePost(raw: string): ParsedPost {
  const { text, frontMatter } = unwrapAnswer(raw);
  const lines = text.split('\n');
  let i = lines.findIndex((l) => l.trim() !== '');
  // "好的，以下是为您撰写的文章：" before the title
  while (i !== -1 && i < lines.length && isPreambleLine(lines[i]!)) {
    lines.splice(i, 1);
    while (i < lines.length && !lines[i]!.trim()) i++;
    if (i >= lines.length) i = -1;
  }
  let titleZh = '';
  if (i !== -1) {
    const first = lines[i]!.trim();
    const h = /^(#{1,2})\s+(.+?)\s*#*$/.exec(first);
    const bold = /^(?:\*\*|__)(.+?)(?:\*\*|__)$/.exec(first);
    const labelled = /^(?:标题|题目|Title)\s*[:：]\s*(.+)$/i.exec(first);
    const hasH1Later = lines.slice(i + 1).some((l) => /^#\s+/.test(l));
    if (h && !(h[1] === '##' && (SECTION_LIKE.test(h[2]!) || hasH1Later))) titleZh = h[2]!;
    else if (bold && bold[1]!.length <= 160) titleZh = bold[1]!;
    else if (labelled) titleZh = labelled[1]!;
    else if (!h && first.length <= 60 && !/[。！.!：:]$/.test(first) && !/^([>|$-]|\*\s|\d+[.、]|图注)/.test(first)) {
      // a question can be a title ("…需要多少样本？") when a lede follows or it is short; else it opens the article
      const next =
        lines
          .slice(i + 1)
          .find((l) => l.trim())
          ?.trim() ?? '';
      if (!/[？?]$/.test(first) || next.startsWith('>') || first.length <= 30) titleZh = first;
    }
    if (titleZh) lines.splice(i, 1);
  }
  titleZh = cleanTitle(titleZh || frontMatter['title'] || '');
  // "图注：…" among the last few lines (a sign-off may follow it)
  let figureCaption = '';
  for (let k = lines.length - 1, seen = 0; k >= 0 && seen < 4; k--) {
    const m = /^\s*(?:\*\*)?图注(?:\*\*)?\s*[:：]\s*(.+?)\s*$/.exec(lines[k]!);
    if (m) {
      figureCaption = m[1]!.replace(/[<>*`]/g, '');
      lines.splice(k, 1);
      break;
    }
    if (lines[k]!.trim() && !RULE.test(lines[k]!)) seen++;
  }
  // a rule between sections is decoration (and under a paragraph it would make that paragraph a heading)
  let body = stripClosing(
    lines
      .filter((l) => !RULE.test(l))
      .join('\n')
      .trim(),
  );
  let lede = /^((?:>[^\n]*\n?)+)/.exec(body)?.[1] ?? '';
  if (!lede) {
    // a lede written without ">": a short first paragraph before the first section
    const para = /^([^\n#>*\-|`$!][^\n]*(?:\n[^\n#>\-|`]+)*)\n{2,}/.exec(body)?.[1];
    if (para && para.length <= 220 && !/^\d+[.、]/.test(para) && /[。！？]$/.test(para.trim())) {
      lede = para;
      body = `> ${para.replace(/\n/g, '\n> ')}${body.slice(para.length)}`;
    }
  }
  body = demoteHeadings(sanitizeModelMarkdown(body));
  if (!lede && frontMatter['summary']) lede = frontMatter['summary'];
  return {
    titleZh,
    lede: lede
      .replace(/^>\s?/gm, '')
      .replace(/\s*\n\s*/g, '')
      .trim(),
    figureCaption,
    body,
  };
}
