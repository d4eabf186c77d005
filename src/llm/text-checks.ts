/** Checks on what a model returned, and the <think> stripper. */

const CJK = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/g;

/** The inside of an answer that is one fence from start to end (```markdown … ```), else the text. */
export function unfence(text: string): string {
  const m = /^\s*(`{3,}|~{3,})[ \t]*(?:markdown|md|text|json)?[ \t]*\n([\s\S]*?)\n\1[ \t]*\s*$/i.exec(text);
  return m ? m[2]! : text;
}

/** Share of Chinese among the words of a text (CJK characters vs Latin words), math and code ignored. */
export function chineseRatio(text: string): number {
  const t = unfence(text)
    .replace(/```[\s\S]*?```/g, ' ')
    .replace(/\$\$[\s\S]*?\$\$/g, ' ')
    .replace(/\$[^$\n]*\$/g, ' ')
    .replace(/`[^`]*`/g, ' ')
    .replace(/\]\([^)]*\)/g, ']');
  const cjk = t.match(CJK)?.length ?? 0;
  const latinWords = t.match(/[A-Za-z]{2,}/g)?.length ?? 0;
  if (cjk + latinWords === 0) return 0;
  return cjk / (cjk + latinWords);
}

export function isMostlyChinese(text: string): boolean {
  return chineseRatio(text) >= 0.6;
}

/**
 * Remove reasoning from a complete answer: <think>…</think> blocks, text before a lone </think>
 * (R1 deployments that omit the opening tag), and an unclosed <think> to the end (cut reasoning).
 */
export function stripThink(text: string): string {
  let s = text.replace(/<think>[\s\S]*?<\/think>/g, '');
  const lone = s.lastIndexOf('</think>');
  if (lone !== -1) s = s.slice(lone + '</think>'.length);
  const open = s.indexOf('<think>');
  if (open !== -1) s = s.slice(0, open);
  return s.trim();
}

/** Shown in a live preview where a model's reasoning (without an opening tag) ends and the answer starts. */
export const REASONING_MARK = '> （以上是模型的思考过程，不会写入文章；正文从这里开始）';

/** Incremental version for live preview: hides <think> blocks, also when tags are split across chunks. */
export class ThinkFilter {
  private buf = '';
  private inThink = false;
  private started = false;

  push(chunk: string): string {
    this.buf += chunk;
    let out = '';
    for (;;) {
      if (this.inThink) {
        const end = this.buf.indexOf('</think>');
        if (end === -1) {
          this.buf = this.buf.slice(Math.max(0, this.buf.length - 7));
          return this.emit(out);
        }
        this.buf = this.buf.slice(end + 8);
        this.inThink = false;
        continue;
      }
      // a closing tag with no opening one (R1 deployments that omit <think>): what was shown was
      // reasoning; say so in the preview (the final text drops it)
      const lone = this.buf.indexOf('</think>');
      const open = this.buf.indexOf('<think>');
      if (lone !== -1 && (open === -1 || lone < open)) {
        out += `${this.buf.slice(0, lone)}\n\n${REASONING_MARK}\n\n`;
        this.buf = this.buf.slice(lone + 8);
        continue;
      }
      if (open !== -1) {
        out += this.buf.slice(0, open);
        this.buf = this.buf.slice(open + 7);
        this.inThink = true;
        continue;
      }
      // keep a possible partial tag at the end
      const lt = this.buf.lastIndexOf('<');
      const tail = lt === -1 ? '' : this.buf.slice(lt);
      if (lt !== -1 && lt > this.buf.length - 9 && ('<think>'.startsWith(tail) || '</think>'.startsWith(tail))) {
        out += this.buf.slice(0, lt);
        this.buf = this.buf.slice(lt);
      } else {
        out += this.buf;
        this.buf = '';
      }
      return this.emit(out);
    }
  }

  end(): string {
    const rest = this.inThink ? '' : this.buf;
    this.buf = '';
    return this.emit(rest);
  }

  private emit(s: string): string {
    if (this.started) return s;
    const t = s.replace(/^\s+/, '');
    if (t) this.started = true;
    return t;
  }
}

/** Reasoning and a fence around everything removed; line ends normalised. */
export function stripWrappers(raw: string): string {
  const plain = stripThink(raw.replace(/\r\n?/g, '\n')).trim();
  // the whole answer in one ```markdown fence (only when the fence is the outermost thing)
  let text = unfence(plain).trim();
  if (text === plain) {
    // a preamble line, then the fenced answer
    const inner = /^[^\n`]{0,80}\n+(`{3,})[ \t]*(?:markdown|md)[ \t]*\n([\s\S]*?)\n\1[ \t]*(?:\n[^\n`]{0,120})?$/i.exec(
      text,
    );
    if (inner) text = inner[2]!.trim();
  }
  return text;
}

/** A `---` block of `key: value` lines the model put first. */
export const MODEL_FRONT_MATTER = /^---[ \t]*\n((?:[A-Za-z_][\w-]*[ \t]*:[^\n]*\n)+)---[ \t]*(?:\n|$)/;
