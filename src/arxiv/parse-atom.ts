/**
 * Parse an arXiv export-API Atom feed (both the legacy layout and the 2025-11-11 one) into Papers.
 * Pure: no I/O. Namespace prefixes are stripped (arXiv always uses atom default, arxiv:, opensearch:).
 */
import { XMLParser } from 'fast-xml-parser';
import { ownStrings } from '../own-strings.js';
import { cleanAbstract, cleanAuthorName, cleanTitle } from './latex.js';
import type { Paper } from './paper.js';

export interface AtomResult {
  papers: Paper[];
  /** Messages of error entries (entry titled "Error" with an /api/errors# id). */
  errors: string[];
  totalResults: number | undefined;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: true,
  isArray: (name) => ['entry', 'author', 'category', 'link', 'affiliation'].includes(name),
  // callbacks get the matcher, not a path string built for every tag (a third of the parse time)
  jPath: false,
});

type Node = Record<string, unknown>;

export function text(node: unknown): string {
  if (node === undefined || node === null) return '';
  if (typeof node === 'string') return node;
  if (typeof node === 'number' || typeof node === 'boolean') return String(node);
  if (Array.isArray(node)) return node.map(text).join(' ');
  if (typeof node === 'object') return text((node as Node)['#text']);
  return '';
}

function attr(node: unknown, name: string): string {
  if (node && typeof node === 'object') return text((node as Node)[`@_${name}`]);
  return '';
}

function asArray(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

export class FeedFormatError extends Error {}

export function parseAtom(xml: string): AtomResult {
  if (!/<feed[\s>]/.test(xml)) throw new FeedFormatError('not an Atom feed');
  let doc: Node;
  try {
    doc = parser.parse(xml, true) as Node;
  } catch (err) {
    throw new FeedFormatError(`malformed XML: ${(err as Error).message.split('\n')[0]}`);
  }
  const feed = doc['feed'] as Node | undefined;
  if (!feed || typeof feed !== 'object') throw new FeedFormatError('no <feed> element');
  const total = text(feed['totalResults']).trim();
  const result: AtomResult = { papers: [], errors: [], totalResults: total === '' ? undefined : Number(total) };
  for (const e of asArray(feed['entry'])) {
    const entry = e as Node;
    const idUrl = text(entry['id']).trim();
    const title = text(entry['title']);
    if (idUrl.includes('/api/errors') || (title.trim() === 'Error' && !idUrl.includes('/abs/'))) {
      result.errors.push(text(entry['summary']).trim() || 'arXiv reported an error');
      continue;
    }
    const paper = entryToPaper(entry);
    // the paper's strings are its own: slices of the response would keep all of it alive as long as one paper
    if (paper) result.papers.push(ownStrings(paper));
  }
  return result;
}

const ABS_ID = /arxiv\.org\/abs\/(.+?)v(\d+)$/;

function entryToPaper(entry: Node): Paper | undefined {
  const idUrl = text(entry['id']).trim();
  const m = ABS_ID.exec(idUrl);
  // Legacy phantom entries (unknown ids) have no <id>/<published>: skip them.
  if (!m || !text(entry['published']).trim()) return undefined;
  const id = m[1]!;
  const version = Number(m[2]);
  const links = asArray(entry['link']);
  const hrefOf = (pred: (l: unknown) => boolean) => attr(links.find(pred), 'href');
  const abs =
    hrefOf((l) => attr(l, 'rel') === 'alternate') ||
    hrefOf((l) => /\/abs\//.test(attr(l, 'href'))) ||
    `https://arxiv.org/abs/${id}v${version}`;
  const pdf =
    hrefOf((l) => attr(l, 'title') === 'pdf' || attr(l, 'type') === 'application/pdf') ||
    hrefOf((l) => /\/pdf\//.test(attr(l, 'href'))) ||
    `https://arxiv.org/pdf/${id}v${version}`;
  const doiLink = hrefOf((l) => attr(l, 'title') === 'doi' || /doi\.org\//.test(attr(l, 'href')));
  const categories = asArray(entry['category'])
    .map((c) => attr(c, 'term').trim())
    .filter((t) => /^[a-z-]+(\.[A-Za-z-]+)?$/.test(t));
  const primary = attr(entry['primary_category'], 'term').trim() || categories[0] || '';
  if (primary && !categories.includes(primary)) categories.unshift(primary);
  const rawTitle = text(entry['title']).replace(/\s+/g, ' ').trim();
  const rawAbstract = text(entry['summary']);
  const toHttps = (u: string) => u.replace(/^http:\/\//, 'https://').replace(/dx\.doi\.org/, 'doi.org');
  return {
    id,
    version,
    title: cleanTitle(rawTitle),
    rawTitle,
    authors: asArray(entry['author']).map((a) => ({
      name: cleanAuthorName(text((a as Node)['name'])),
      affiliations: asArray((a as Node)['affiliation'])
        .map((x) => text(x).replace(/\s+/g, ' ').trim())
        .filter(Boolean),
    })),
    abstract: cleanAbstract(rawAbstract),
    rawAbstract: rawAbstract.trim(),
    published: text(entry['published']).trim(),
    updated: text(entry['updated']).trim(),
    primaryCategory: primary,
    categories,
    comment: text(entry['comment']).replace(/\s+/g, ' ').trim(),
    journalRef: text(entry['journal_ref']).replace(/\s+/g, ' ').trim(),
    dois: text(entry['doi']).split(/\s+/).filter(Boolean),
    links: { abs: toHttps(abs), pdf: toHttps(pdf), ...(doiLink ? { doi: toHttps(doiLink) } : {}) },
  };
}
