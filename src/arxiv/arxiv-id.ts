/**
 * Parse every way people write an arXiv reference into { id, version }.
 * New scheme: YYMM.NNNN (0704–1412) or YYMM.NNNNN (1501+), optional vN.
 * Old scheme: archive[.SC]/YYMMNNN, optional vN (9107–0703).
 */

export interface ArxivRef {
  /** Canonical id without version, e.g. "2404.16418" or "hep-th/9711200" (subject class dropped). */
  id: string;
  /** Requested version number, or undefined for "latest". */
  version: number | undefined;
  /** What the user typed. */
  input: string;
}

export const ACCEPTED_FORMS =
  'accepted: 2404.16418, 2404.16418v2, arXiv:2404.16418, hep-th/9711200, math.GT/0309136, ' +
  'or an arxiv.org abs/pdf/html, papers.cool or alphaxiv.org URL of one';

/** Archives of the old (pre-2007) identifier scheme. */
const OLD_ARCHIVES = new Set([
  'acc-phys',
  'adap-org',
  'alg-geom',
  'ao-sci',
  'astro-ph',
  'atom-ph',
  'bayes-an',
  'chao-dyn',
  'chem-ph',
  'cmp-lg',
  'comp-gas',
  'cond-mat',
  'cs',
  'dg-ga',
  'funct-an',
  'gr-qc',
  'hep-ex',
  'hep-lat',
  'hep-ph',
  'hep-th',
  'math',
  'math-ph',
  'mtrl-th',
  'nlin',
  'nucl-ex',
  'nucl-th',
  'patt-sol',
  'physics',
  'plasm-ph',
  'q-alg',
  'q-bio',
  'quant-ph',
  'solv-int',
  'supr-con',
]);

const HOST_PATHS: Array<{ host: RegExp; path: RegExp }> = [
  { host: /^(www\.|export\.)?arxiv\.org$/, path: /^\/(?:abs|pdf|html|format|e-print|src)\/(.+)$/ },
  { host: /^ar5iv(\.labs)?\.arxiv\.org$/, path: /^\/(?:html|abs)\/(.+)$/ },
  { host: /^(www\.)?papers\.cool$/, path: /^\/arxiv\/(?:kimi\?paper=)?(.+)$/ },
  { host: /^(www\.)?alphaxiv\.org$/, path: /^\/(?:abs|overview|pdf)\/(.+)$/ },
  { host: /^(www\.)?huggingface\.co$/, path: /^\/papers\/(.+)$/ },
];

const NEW_ID = /^(\d{2})(\d{2})\.(\d{4,5})(?:v([1-9]\d{0,3}))?$/;
const OLD_ID = /^([a-z]+(?:-[a-z]+)?)(?:\.([A-Z]{2}))?\/(\d{2})(\d{2})(\d{3})(?:v([1-9]\d{0,3}))?$/;

export type ParseResult = { ok: true; ref: ArxivRef } | { ok: false; input: string; reason: string };

export function parseArxivRef(raw: string): ParseResult {
  const input = raw;
  const fail = (reason: string): ParseResult => ({ ok: false, input, reason });
  if (raw.length > 300) return fail('too long to be an arXiv id');
  let s = raw.trim();
  if (s === '') return fail('empty');
  if (/[\u0000-\u001f\u007f]/.test(s)) return fail('contains control characters');

  // a bare host (arxiv.org/abs/…) is a URL, but math.CO/0309136 is an id whose subject class looks like a TLD
  const oldId = OLD_ID.test(s.replace(/\.pdf$/i, '').replace(/\/+$/, ''));
  if (/^https?:\/\//i.test(s) || (!oldId && /^(www\.)?[a-z0-9.-]+\.(org|cool|co)\//i.test(s))) {
    const extracted = fromUrl(/^https?:\/\//i.test(s) ? s : `https://${s}`);
    if (extracted === undefined) return fail('not an arXiv, papers.cool or alphaxiv.org paper URL');
    s = extracted;
  }
  s = s.replace(/^arxiv:\s*/i, '');
  s = s.replace(/\.pdf$/i, '').replace(/\/+$/, '');
  return matchId(s, input);
}

function fromUrl(s: string): string | undefined {
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    return undefined;
  }
  if (url.username || url.password || url.port) return undefined;
  const host = url.hostname.toLowerCase();
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return undefined;
  }
  if (host.endsWith('papers.cool') && url.searchParams.has('paper')) path = `/arxiv/${url.searchParams.get('paper')}`;
  for (const hp of HOST_PATHS) {
    if (!hp.host.test(host)) continue;
    const m = hp.path.exec(path);
    if (m?.[1]) return m[1];
  }
  return undefined;
}

function matchId(s: string, input: string): ParseResult {
  const fail = (reason: string): ParseResult => ({ ok: false, input, reason });
  const n = NEW_ID.exec(s);
  if (n) {
    const [, yy, mm, num, v] = n as unknown as [string, string, string, string, string | undefined];
    const month = Number(mm);
    if (month < 1 || month > 12) return fail(`month ${mm} does not exist`);
    const yymm = Number(yy + mm);
    if (yymm < 704) return fail('new-style ids start at 0704; older papers use archive/YYMMNNN');
    let digits = num;
    const want = yymm <= 1412 ? 4 : 5;
    if (digits.length !== want) {
      const fixed =
        want === 5 && digits.length === 4
          ? `0${digits}`
          : want === 4 && digits.length === 5 && digits.startsWith('0')
            ? digits.slice(1)
            : undefined;
      // a papers.cool link drops the leading zero (2401.6769 is 2401.06769); a typed id may just be a typo
      if (fixed && /papers\.cool/i.test(input)) digits = fixed;
      else
        return fail(
          `ids from ${yy}${mm} have ${want} digits after the dot${fixed ? ` (did you mean ${yy}${mm}.${fixed}?)` : ''}`,
        );
    }
    if (/^0+$/.test(digits)) return fail('paper number 0 does not exist');
    return { ok: true, ref: { id: `${yy}${mm}.${digits}`, version: v ? Number(v) : undefined, input } };
  }
  const o = OLD_ID.exec(s);
  if (o) {
    const [, archive, , yy, mm, num, v] = o as unknown as [
      string,
      string,
      string | undefined,
      string,
      string,
      string,
      string | undefined,
    ];
    if (!OLD_ARCHIVES.has(archive)) return fail(`unknown archive "${archive}"`);
    const month = Number(mm);
    if (month < 1 || month > 12) return fail(`month ${mm} does not exist`);
    const year = Number(yy) >= 91 ? 1900 + Number(yy) : 2000 + Number(yy);
    if (year * 100 + month < 199107 || year * 100 + month > 200703) return fail('old-style ids run from 9107 to 0703');
    if (num === '000') return fail('paper number 000 does not exist');
    return { ok: true, ref: { id: `${archive}/${yy}${mm}${num}`, version: v ? Number(v) : undefined, input } };
  }
  return fail('not an arXiv id');
}

/** A filesystem-safe, flat file stem derived only from the canonical id. */
export function fileStem(id: string): string {
  return id.replace(/\//g, '_').replace(/[^A-Za-z0-9._-]/g, '_');
}

export function refKey(ref: { id: string; version: number | undefined }): string {
  return ref.version === undefined ? ref.id : `${ref.id}v${ref.version}`;
}
