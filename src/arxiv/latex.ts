/**
 * Turn arXiv's TeX-flavoured metadata text into readable Markdown.
 * Math stays as $…$ / $$…$$ for KaTeX/MathJax; outside math no raw TeX command survives.
 */

const ACCENTS: Record<string, Record<string, string>> = {
  '"': { a: 'ä', e: 'ë', i: 'ï', o: 'ö', u: 'ü', y: 'ÿ', A: 'Ä', E: 'Ë', I: 'Ï', O: 'Ö', U: 'Ü', Y: 'Ÿ' },
  "'": {
    a: 'á',
    e: 'é',
    i: 'í',
    o: 'ó',
    u: 'ú',
    y: 'ý',
    c: 'ć',
    n: 'ń',
    s: 'ś',
    z: 'ź',
    l: 'ĺ',
    r: 'ŕ',
    A: 'Á',
    E: 'É',
    I: 'Í',
    O: 'Ó',
    U: 'Ú',
    Y: 'Ý',
    C: 'Ć',
    N: 'Ń',
    S: 'Ś',
    Z: 'Ź',
  },
  '`': { a: 'à', e: 'è', i: 'ì', o: 'ò', u: 'ù', A: 'À', E: 'È', I: 'Ì', O: 'Ò', U: 'Ù' },
  '^': { a: 'â', e: 'ê', i: 'î', o: 'ô', u: 'û', A: 'Â', E: 'Ê', I: 'Î', O: 'Ô', U: 'Û' },
  '~': { a: 'ã', n: 'ñ', o: 'õ', A: 'Ã', N: 'Ñ', O: 'Õ' },
  '=': { a: 'ā', e: 'ē', i: 'ī', o: 'ō', u: 'ū', A: 'Ā', E: 'Ē', I: 'Ī', O: 'Ō', U: 'Ū' },
  '.': { z: 'ż', Z: 'Ż', e: 'ė', E: 'Ė', I: 'İ' },
  v: { c: 'č', s: 'š', z: 'ž', r: 'ř', e: 'ě', n: 'ň', d: 'ď', t: 'ť', C: 'Č', S: 'Š', Z: 'Ž', R: 'Ř', E: 'Ě', N: 'Ň' },
  c: { c: 'ç', s: 'ş', C: 'Ç', S: 'Ş', t: 'ţ' },
  u: { a: 'ă', g: 'ğ', A: 'Ă', G: 'Ğ' },
  r: { u: 'ů', a: 'å', U: 'Ů', A: 'Å' },
  H: { o: 'ő', u: 'ű', O: 'Ő', U: 'Ű' },
  k: { a: 'ą', e: 'ę', A: 'Ą', E: 'Ę' },
};

const SYMBOLS: Record<string, string> = {
  ss: 'ß',
  o: 'ø',
  O: 'Ø',
  ae: 'æ',
  AE: 'Æ',
  oe: 'œ',
  OE: 'Œ',
  aa: 'å',
  AA: 'Å',
  l: 'ł',
  L: 'Ł',
  i: 'ı',
  j: 'ȷ',
  DH: 'Ð',
  dh: 'ð',
  TH: 'Þ',
  th: 'þ',
  dag: '†',
  S: '§',
  P: '¶',
  copyright: '©',
  ldots: '…',
  dots: '…',
  textendash: '–',
  textemdash: '—',
  LaTeX: 'LaTeX',
  TeX: 'TeX',
  textbackslash: '\\',
};

/** Math-only macros that may appear bare in text; they get wrapped in $…$. */
const MATH_MACROS = new Set([
  'pm',
  'mp',
  'times',
  'cdot',
  'sim',
  'approx',
  'simeq',
  'leq',
  'le',
  'geq',
  'ge',
  'neq',
  'ne',
  'lesssim',
  'gtrsim',
  'll',
  'gg',
  'propto',
  'infty',
  'to',
  'rightarrow',
  'leftarrow',
  'Rightarrow',
  'mu',
  'alpha',
  'beta',
  'gamma',
  'delta',
  'epsilon',
  'varepsilon',
  'theta',
  'lambda',
  'sigma',
  'tau',
  'phi',
  'varphi',
  'omega',
  'pi',
  'rho',
  'chi',
  'psi',
  'eta',
  'kappa',
  'nu',
  'xi',
  'zeta',
  'Gamma',
  'Delta',
  'Theta',
  'Lambda',
  'Sigma',
  'Phi',
  'Omega',
  'Psi',
  'Pi',
  'odot',
  'sqrt',
  'frac',
  'log',
  'ln',
  'exp',
  'sum',
  'prod',
  'int',
  'partial',
  'nabla',
  'in',
  'circ',
  'mathcal',
  'mathbf',
  'mathrm',
  'mathbb',
  'mathit',
  'ell',
  'hbar',
  'degree',
]);

/** Text commands whose argument is kept as is. */
const KEEP_ARG = new Set([
  'text',
  'textrm',
  'textsf',
  'textnormal',
  'mbox',
  'textsc',
  'textup',
  'textmd',
  'uppercase',
  'mathrm',
  'url',
  'nolinkurl',
]);

type Segment = { math: boolean; text: string; display?: boolean };

/** Split text into math and non-math segments (pandoc's rules for `$`). Currency dollars become text. */
export function splitMath(src: string): Segment[] {
  const out: Segment[] = [];
  let buf = '';
  let i = 0;
  const pushText = () => {
    if (buf) out.push({ math: false, text: buf });
    buf = '';
  };
  while (i < src.length) {
    const ch = src[i]!;
    if (ch === '\\' && (src[i + 1] === '$' || src[i + 1] === '\\')) {
      buf += src.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (ch === '\\' && (src[i + 1] === '(' || src[i + 1] === '[')) {
      const close = src[i + 1] === '(' ? '\\)' : '\\]';
      const end = src.indexOf(close, i + 2);
      if (end > i) {
        pushText();
        out.push({ math: true, text: src.slice(i + 2, end), display: src[i + 1] === '[' });
        i = end + 2;
        continue;
      }
    }
    if (ch === '$') {
      const display = src[i + 1] === '$';
      const open = display ? 2 : 1;
      const end = findClosingDollar(src, i + open, display);
      if (end !== -1) {
        pushText();
        out.push({ math: true, text: src.slice(i + open, end), display });
        i = end + open;
        continue;
      }
      buf += '\\$'; // a lone dollar: money, not math; escaped so Markdown math renderers leave it alone
      i += display ? 2 : 1;
      if (display) buf += '\\$';
      continue;
    }
    buf += ch;
    i++;
  }
  pushText();
  return out;
}

function findClosingDollar(src: string, from: number, display: boolean): number {
  if (from >= src.length || /\s/.test(src[from]!)) return -1;
  for (let j = from; j < src.length; j++) {
    const c = src[j];
    if (c === '\\') {
      j++;
      continue;
    }
    // math never spans paragraphs: a lone dollar must not swallow the text up to the next formula
    if (c === '\n' && blankLineAt(src, j)) return -1;
    if (c !== '$') continue;
    if (display) return src[j + 1] === '$' ? j : -1;
    if (/\s/.test(src[j - 1]!)) continue;
    if (/\d/.test(src[j + 1] ?? '')) continue;
    return j === from ? -1 : j;
  }
  return -1;
}

const BLANK_LINE = /\n[ \t]*\n/y;
function blankLineAt(src: string, at: number): boolean {
  BLANK_LINE.lastIndex = at;
  return BLANK_LINE.test(src);
}

/** Repair the 2026 API's Unicode-in-math (`\tildeΘ` → `\tilde Θ`) so KaTeX accepts it. */
function cleanMath(m: string): string {
  return m
    .replace(/\\([A-Za-z]+)(?=[^\x00-\x7F])/g, '\\$1 ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Find the matching `}` for a `{` at position `open`. */
function matchBrace(s: string, open: number): number {
  let depth = 0;
  for (let j = open; j < s.length; j++) {
    if (s[j] === '\\') {
      j++;
      continue;
    }
    if (s[j] === '{') depth++;
    else if (s[j] === '}' && --depth === 0) return j;
  }
  return -1;
}

function cleanText(t: string): string {
  let s = t;
  // accents: {\"o}, \"{o}, \"o, \v{z}, {\ss}
  s = s.replace(/\{\\(["'`^~=.])\s*\{?([A-Za-z])\}?\}/g, (m, a: string, c: string) => ACCENTS[a]?.[c] ?? c);
  s = s.replace(/\\(["'`^~=.])\s*\{([A-Za-z])\}/g, (m, a: string, c: string) => ACCENTS[a]?.[c] ?? c);
  s = s.replace(/\\(["'`^~=.])([A-Za-z])/g, (m, a: string, c: string) => ACCENTS[a]?.[c] ?? c);
  s = s.replace(/\{\\([vcurHk])\s*\{?([A-Za-z])\}?\}/g, (m, a: string, c: string) => ACCENTS[a]?.[c] ?? c);
  s = s.replace(/\\([vcurHk])\s*\{([A-Za-z])\}/g, (m, a: string, c: string) => ACCENTS[a]?.[c] ?? c);
  s = s.replace(/\\([vcuHk]) ([A-Za-z])/g, (m, a: string, c: string) => ACCENTS[a]?.[c] ?? c);
  s = s.replace(/\{\\(ss|o|O|ae|AE|oe|OE|aa|AA|l|L|i|j|DH|dh|TH|th)\}/g, (m, k: string) => SYMBOLS[k] ?? k);
  s = s.replace(
    /\\(ss|ae|AE|oe|OE|aa|AA|DH|dh|TH|th|dag|copyright|ldots|dots|textendash|textemdash|LaTeX|TeX|textbackslash)(?![A-Za-z])\s?/g,
    (m, k: string) => SYMBOLS[k] ?? k,
  );
  s = s.replace(/\\([oOlL])(?![A-Za-z])\s?/g, (m, k: string) => SYMBOLS[k] ?? k);
  // escapes
  s = s.replace(/\\([%&#_{}])/g, '$1');
  s = s.replace(/\\ /g, ' ').replace(/\\,/g, ' ').replace(/\\@/g, '');
  s = s.replace(/(?<!\\)~/g, '\u00a0');
  s = s.replace(/``/g, '“').replace(/''/g, '”');
  s = s.replace(/---/g, '—').replace(/(?<![-!<])--(?![->])/g, '–');
  // \href{url}{text} → [text](url); \url{u} → <u>
  s = s.replace(/\\href\{([^{}]*)\}\{([^{}]*)\}/g, (m, u: string, txt: string) => `[${txt}](${u})`);
  s = s.replace(/\\url\{([^{}]*)\}/g, (m, u: string) => `<${u}>`);
  s = replaceCommands(s);
  // bare math macros and sub/superscripts outside $: wrap the token as math
  const maths: string[] = [];
  s = s.replace(/[^\s()\[\],;]*(?:\\[A-Za-z]+|[\^_]\{)[^\s,;()\[\]]*/g, (tok) => {
    maths.push(wrapBareMath(tok));
    return `\u0001${maths.length - 1}\u0001`;
  });
  // leftover grouping braces (outside the math just made)
  s = s.replace(/(?<!\\)[{}]/g, '');
  return s.replace(/\u0001(\d+)\u0001/g, (_, i: string) => maths[Number(i)]!);
}

/** Apply formatting commands with brace arguments, innermost first, dropping unknown commands. */
function replaceCommands(input: string): string {
  let s = input;
  for (let guard = 0; guard < 50; guard++) {
    const m = /\\(emph|textit|textsl|it|em|textbf|bf|texttt|tt|underline|[A-Za-z]+)\s*\{/.exec(s);
    if (!m) break;
    const name = m[1]!;
    if (MATH_MACROS.has(name)) {
      // leave for the bare-math pass; protect it so the loop moves on
      s = s.slice(0, m.index) + '\u0000' + s.slice(m.index + 1);
      continue;
    }
    const open = m.index + m[0].length - 1;
    const close = matchBrace(s, open);
    if (close === -1) {
      s = s.slice(0, m.index) + s.slice(m.index + m[0].length);
      continue;
    }
    const arg = s.slice(open + 1, close);
    let rep: string;
    if (['emph', 'textit', 'textsl', 'it', 'em'].includes(name)) rep = arg.trim() ? `*${arg.trim()}*` : '';
    else if (['textbf', 'bf'].includes(name)) rep = arg.trim() ? `**${arg.trim()}**` : '';
    else if (['texttt', 'tt'].includes(name)) rep = arg.trim() ? `\`${arg.trim()}\`` : '';
    else if (KEEP_ARG.has(name) || name === 'underline') rep = arg;
    else rep = arg; // unknown command: keep its visible argument
    s = s.slice(0, m.index) + rep + s.slice(close + 1);
  }
  s = s.replace(/\u0000/g, '\\');
  // {\em x} / {\bf x} / {\it x}
  s = s.replace(/\{\\(em|it|sl)\s+([^{}]*)\}/g, (m, k, x: string) => `*${x.trim()}*`);
  s = s.replace(/\{\\bf\s+([^{}]*)\}/g, (m, x: string) => `**${x.trim()}**`);
  // argument-less commands that are not math: drop
  s = s.replace(/\\([A-Za-z]+)\b\s?/g, (m, name: string) => (MATH_MACROS.has(name) ? m : ''));
  return s;
}

function wrapBareMath(tok: string): string {
  if (!/\\[A-Za-z]+|[\^_]\{/.test(tok)) return tok;
  const t = tok.replace(/[.:]$/, '');
  const tail = tok.slice(t.length);
  return `$${cleanMath(t)}$${tail}`;
}

/** Escape raw HTML so paper text cannot inject tags into a post. */
export function escapeHtml(s: string): string {
  return s.replace(/<(?=[A-Za-z!/?])/g, '&lt;');
}

/** Title: one line, TeX cleaned. */
export function cleanTitle(raw: string): string {
  return latexToMarkdown(raw.replace(/\s+/g, ' ').trim());
}

/** Abstract: paragraphs kept (newline + indentation), other line breaks joined. */
export function cleanAbstract(raw: string): string {
  const text = raw.replace(/\r\n?/g, '\n').replace(/^\s+|\s+$/g, '');
  const paras = text
    .split(/\n[ \t]+/)
    .map((p) => p.replace(/\s+/g, ' ').trim())
    .filter(Boolean);
  return paras.map(latexToMarkdown).join('\n\n');
}

export function cleanAuthorName(raw: string): string {
  return latexToMarkdown(raw.replace(/\s+/g, ' ').trim()).replace(/\$/g, '');
}

export function latexToMarkdown(src: string): string {
  return splitMath(src)
    .map((seg) => {
      if (!seg.math) return cleanText(escapeHtml(seg.text));
      const m = cleanMath(seg.text);
      return seg.display ? `$$${m}$$` : `$${m}$`;
    })
    .join('')
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
}
