/**
 * Parse rss.arxiv.org feeds (RSS 2.0 and the Atom flavour) into listing items:
 * id, version, announce type, categories, and the feed's announcement date.
 */
import { XMLParser } from 'fast-xml-parser';
import { ownStrings } from '../own-strings.js';
import { parseInPieces } from './feed-pieces.js';
import { FeedFormatError, text } from './parse-atom.js';

export type AnnounceType = 'new' | 'cross' | 'replace' | 'replace-cross';

export interface ListingItem {
  id: string;
  version: number;
  announceType: AnnounceType;
  title: string;
  categories: string[];
}

export interface Listing {
  /** When the feed was built (channel pubDate, or the entries' published time), if it says. */
  builtAt: Date | undefined;
  title: string;
  items: ListingItem[];
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => ['item', 'entry', 'category'].includes(name),
  // callbacks get the matcher, not a path string built for every tag (a third of the parse time)
  jPath: false,
});

type Node = Record<string, unknown>;

const ID = /(?:oai:arXiv\.org:|arXiv:)?([a-z-]+(?:\.[A-Z]{2})?\/\d{7}|\d{4}\.\d{4,5})v(\d+)/;

export function parseRss(xml: string): Listing {
  const root = /^\s*(?:<\?xml[^>]*\?>\s*)?<(rss|feed)[\s>]/.exec(xml)?.[1];
  const pieces =
    root === 'rss'
      ? parseInPieces(parser, xml, 'item', (d) => ((d['rss'] as Node | undefined)?.['channel'] as Node)?.['item'])
      : root === 'feed'
        ? parseInPieces(parser, xml, 'entry', (d) => (d['feed'] as Node | undefined)?.['entry'])
        : undefined;
  let doc: Node;
  if (pieces) doc = pieces.head;
  else {
    try {
      doc = parser.parse(xml, true) as Node;
    } catch (err) {
      throw new FeedFormatError(`malformed XML: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  const rss = doc['rss'] as Node | undefined;
  const channel = rss?.['channel'] as Node | undefined;
  const feed = doc['feed'] as Node | undefined;
  if (!channel && !feed) throw new FeedFormatError('not an RSS or Atom feed');
  const title = text((channel ?? feed)!['title']);
  if (/feed error/i.test(title)) throw new FeedFormatError(title);
  const rawItems = pieces?.entries ?? ((channel ? channel['item'] : feed!['entry']) as Node[] | undefined);
  const items: ListingItem[] = [];
  let first: Node | undefined;
  for (const it of rawItems ?? []) {
    first ??= it;
    const idText = text(it['guid']) || text(it['id']) || text(it['description']) || text(it['summary']);
    const m = ID.exec(idText);
    if (!m) continue;
    const type =
      text(it['announce_type']).trim() ||
      /Announce Type:\s*([a-z-]+)/.exec(text(it['description']) || text(it['summary']))?.[1] ||
      'new';
    items.push(
      ownStrings({
        id: m[1]!,
        version: Number(m[2]),
        announceType: type as AnnounceType,
        title: text(it['title']).replace(/\s+/g, ' ').trim(),
        categories: ((it['category'] as unknown[]) ?? [])
          .map((c) => (typeof c === 'object' && c ? text((c as Node)['@_term']) : text(c)))
          .filter(Boolean),
      }),
    );
  }
  const dateRaw = channel ? text(channel['pubDate']) || text(channel['lastBuildDate']) : text(feed!['updated']);
  const firstPublished = !channel && first ? text(first['published']) : '';
  const t = Date.parse(firstPublished || dateRaw);
  return { builtAt: Number.isNaN(t) ? undefined : new Date(t), title, items };
}
