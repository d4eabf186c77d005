/**
 * A fake arXiv export API on 127.0.0.1 that serves entries from the recorded feeds in fixtures/arxiv,
 * in the 2025-11 layout or the legacy one, with scripted faults. Used by the tests, the demo and the bench.
 */
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { listenLocal } from './local-server.js';
import { ROOT } from './root.js';
import path from 'node:path';

export const FIXTURES_DIR = path.join(ROOT, 'fixtures') + path.sep;

export type ArxivFault =
  | { status: number; body?: string; headers?: Record<string, string> }
  | { hang: true }
  | { empty: true }
  | { truncate: true };

export interface RecordedRequest {
  url: string;
  ids: string[];
  at: number;
  headers: http.IncomingHttpHeaders;
}

export interface StoredEntry {
  id: string;
  version: number;
  xml: string;
}

const NS_ARXIV = 'xmlns:arxiv="http://arxiv.org/schemas/atom"';
const NS_OS = 'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"';

export function loadFixtureEntries(dir = path.join(FIXTURES_DIR, 'arxiv')): Map<string, StoredEntry> {
  const map = new Map<string, StoredEntry>();
  // newest layout files last so they win for ids recorded twice
  const files = readdirSync(dir)
    .filter((f) => f.startsWith('api-') && f.endsWith('.xml'))
    .sort((a, b) => rank(a) - rank(b));
  for (const f of files) {
    const xml = readFileSync(path.join(dir, f), 'utf8');
    for (const m of xml.matchAll(/<entry>[\s\S]*?<\/entry>/g)) {
      const id = /<id>https?:\/\/arxiv\.org\/abs\/(.+?)v(\d+)<\/id>/.exec(m[0]);
      if (!id) continue;
      // legacy entries declare the arxiv namespace per element; declaring it on <entry> too keeps each self-contained
      map.set(id[1]!, { id: id[1]!, version: Number(id[2]), xml: m[0].replace('<entry>', `<entry ${NS_ARXIV}>`) });
    }
  }
  for (const f of readdirSync(dir).filter((f) => f.startsWith('rss-') && f.endsWith('.xml'))) {
    for (const e of entriesFromRss(readFileSync(path.join(dir, f), 'utf8'))) if (!map.has(e.id)) map.set(e.id, e);
  }
  return map;
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const xmlUnescape = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');

/** Turn the items of a recorded RSS feed into API entries (same CC0 metadata, API layout). */
export function entriesFromRss(xml: string): StoredEntry[] {
  const out: StoredEntry[] = [];
  for (const m of xml.matchAll(/<(item|entry)>([\s\S]*?)<\/\1>/g)) {
    const body = m[2]!;
    const id = /oai:arXiv\.org:(.+?)v(\d+)/.exec(body);
    if (!id) continue;
    const title = xmlUnescape(/<title>([\s\S]*?)<\/title>/.exec(body)?.[1] ?? '');
    const desc = xmlUnescape(/<(?:description|summary)>([\s\S]*?)<\/(?:description|summary)>/.exec(body)?.[1] ?? '');
    const abstract = desc.replace(/^[\s\S]*?Abstract:\s*/, '');
    const cats = [...body.matchAll(/<category(?: term="([^"]+)"\/>|>([^<]+)<\/category>)/g)].map((c) => c[1] ?? c[2]!);
    const creators = xmlUnescape(/<dc:creator>([\s\S]*?)<\/dc:creator>/.exec(body)?.[1] ?? '')
      .split(/,\s*/)
      .filter(Boolean);
    out.push(
      syntheticEntry(id[1]!, title, abstract, {
        version: Number(id[2]),
        categories: cats,
        authors: creators,
        published: '2026-09-23T15:00:00Z',
      }),
    );
  }
  return out;
}

function rank(f: string): number {
  return f.includes('legacy') ? 0 : f.includes('2025-11-11') ? 1 : 2;
}

const VALID_ID = /^(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?\/\d{7})(v\d+)?$/;

export interface FakeArxivOptions {
  layout?: 'new' | 'legacy';
  /** Extra synthetic entries keyed by id (tests that need many papers). */
  extra?: Map<string, StoredEntry>;
  latencyMs?: number;
  /** The RSS body for a category path (e.g. "cs.CL+cs.LG"); default: the recorded multi-category feed. */
  rss?: (cats: string) => string;
}

export class FakeArxiv {
  readonly requests: RecordedRequest[] = [];
  private readonly faults: ArxivFault[] = [];
  private readonly entries: Map<string, StoredEntry>;
  private stopServer: (() => Promise<void>) | undefined;
  url = '';

  /** Full-text documents by path (/html/<id>vN, /ar5iv/html/<id>, /pdf/<id>vN, or an image path). */
  readonly documents = new Map<string, { contentType: string; body: string | Buffer }>();

  /** The base URLs the CLI needs for this server's arXiv parts. */
  urls(): Record<string, string> {
    const base = this.url.replace(/\/api\/query$/, '');
    return {
      DIGEST_ARXIV_API_URL: this.url,
      DIGEST_ARXIV_RSS_URL: `${base}/rss`,
      DIGEST_ARXIV_HTML_URL: `${base}/html`,
      DIGEST_AR5IV_URL: `${base}/ar5iv/html`,
      DIGEST_ARXIV_PDF_URL: `${base}/pdf`,
    };
  }

  /** What /rss/<cats> answers; tests may replace it. */
  rss: ((cats: string) => string) | undefined;

  constructor(private readonly opts: FakeArxivOptions = {}) {
    this.entries = loadFixtureEntries();
    for (const [k, v] of opts.extra ?? []) this.entries.set(k, v);
    this.rss = opts.rss;
  }

  /** Serve more papers from the API. */
  add(...entries: StoredEntry[]): this {
    for (const e of entries) this.entries.set(e.id, e);
    return this;
  }

  /** What the API serves for an id now. */
  entry(id: string): StoredEntry | undefined {
    return this.entries.get(id);
  }

  /** Queue faults; each request consumes one before normal service resumes. */
  fail(...faults: ArxivFault[]): this {
    this.faults.push(...faults);
    return this;
  }

  /** Forget scripted steps and recorded requests (between tests). */
  reset(): void {
    this.faults.length = 0;
    this.requests.length = 0;
  }

  knownIds(): string[] {
    return [...this.entries.keys()];
  }

  async start(): Promise<string> {
    const { port, stop } = await listenLocal(http.createServer((req, res) => void this.handle(req, res)));
    this.stopServer = stop;
    this.url = `http://127.0.0.1:${port}/api/query`;
    return this.url;
  }

  async stop(): Promise<void> {
    await this.stopServer?.();
  }

  /** `(cat:a OR cat:b) AND submittedDate:[YYYYMMDDHHMM TO YYYYMMDDHHMM]`, the only form the client sends. */
  private search(query: string): StoredEntry[] {
    const cats = [...query.matchAll(/cat:([A-Za-z.-]+)/g)].map((m) => m[1]!);
    const range = /submittedDate:\[(\d{12}) TO (\d{12})\]/.exec(query);
    const stamp = (xml: string) =>
      (/<published>([^<]+)<\/published>/.exec(xml)?.[1] ?? '').replace(/[-:T]/g, '').slice(0, 12);
    return [...this.entries.values()]
      .filter((e) => {
        const entryCats = [...e.xml.matchAll(/<category term="([^"]+)"/g)].map((m) => m[1]!);
        if (cats.length && !entryCats.some((c) => cats.includes(c))) return false;
        if (range && !(stamp(e.xml) >= range[1]! && stamp(e.xml) <= range[2]!)) return false;
        return true;
      })
      .sort((a, b) => stamp(a.xml).localeCompare(stamp(b.xml)) || a.id.localeCompare(b.id));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const ids = (url.searchParams.get('id_list') ?? '').split(',').filter(Boolean);
    this.requests.push({ url: req.url ?? '', ids, at: Date.now(), headers: req.headers });
    if (this.opts.latencyMs) await new Promise((r) => setTimeout(r, this.opts.latencyMs));
    if (/^\/(html|ar5iv|pdf)\//.test(url.pathname)) {
      const fault = this.faults.shift();
      if (fault && 'hang' in fault) return; // never answer
      if (fault && 'status' in fault) {
        res.writeHead(fault.status, { 'content-type': 'text/plain', ...fault.headers }).end(fault.body ?? '');
        return;
      }
      const doc = this.documents.get(decodeURIComponent(url.pathname));
      if (doc) res.writeHead(200, { 'content-type': doc.contentType }).end(doc.body);
      else
        res
          .writeHead(404, { 'content-type': 'text/html' })
          .end(
            `<html><head><title>No HTML for '${url.pathname}'</title></head><body>HTML is not available for the source.</body></html>`,
          );
      return;
    }
    if (url.pathname.startsWith('/rss/')) {
      const fault = this.faults.shift();
      if (fault && 'status' in fault) {
        res.writeHead(fault.status, { 'content-type': 'text/plain', ...fault.headers }).end(fault.body ?? '');
        return;
      }
      const cats = decodeURIComponent(url.pathname.slice('/rss/'.length));
      const body = this.rss
        ? this.rss(cats)
        : readFileSync(path.join(FIXTURES_DIR, 'arxiv', 'rss-rss2-2026-09-24-cs.LG+cs.AI+cs.CL+stat.ML.xml'), 'utf8');
      res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' }).end(body);
      return;
    }
    if (url.pathname !== '/api/query') {
      res.writeHead(404, { 'content-type': 'text/html' }).end('<html><title>404 Not Found</title></html>');
      return;
    }
    const fault = this.faults.shift();
    if (fault && 'hang' in fault) return; // never answer
    if (fault && 'status' in fault) {
      res.writeHead(fault.status, { 'content-type': 'text/plain', ...fault.headers }).end(fault.body ?? '');
      return;
    }
    const bad = ids.filter((id) => !VALID_ID.test(id));
    if (bad.length) {
      res.writeHead(400, { 'content-type': 'application/atom+xml' }).end(errorFeed(bad[0]!));
      return;
    }
    const max = Number(url.searchParams.get('max_results') ?? '10');
    const start = Number(url.searchParams.get('start') ?? '0');
    const query = url.searchParams.get('search_query');
    if (query && ids.length === 0) {
      const hits = this.search(query);
      const page = fault && 'empty' in fault ? [] : hits.slice(start, start + max);
      res
        .writeHead(200, { 'content-type': 'application/atom+xml; charset=utf-8' })
        .end(newFeed(page, [], max, hits.length));
      return;
    }
    const found: StoredEntry[] = [];
    const missing: string[] = [];
    if (!(fault && 'empty' in fault)) {
      for (const raw of ids) {
        const m = /^(.*?)(?:v(\d+))?$/.exec(raw)!;
        const e = this.entries.get(m[1]!);
        if (e && (m[2] === undefined || Number(m[2]) === e.version)) found.push(e);
        else missing.push(raw);
      }
    }
    // arXiv does not promise request order: answer in reverse to keep clients honest
    const page = found.reverse().slice(start, start + max);
    let body = this.opts.layout === 'legacy' ? legacyFeed(page, missing, ids) : newFeed(page, ids, max, found.length);
    if (fault && 'truncate' in fault) body = body.slice(0, Math.floor(body.length / 2));
    res.writeHead(200, { 'content-type': 'application/atom+xml; charset=utf-8' }).end(body);
  }
}

function newFeed(entries: StoredEntry[], ids: string[], max: number, total: number): string {
  return `<?xml version='1.0' encoding='UTF-8'?>
<feed ${NS_OS} ${NS_ARXIV} xmlns="http://www.w3.org/2005/Atom">
  <id>https://arxiv.org/api/fake</id>
  <title>arXiv Query: search_query=&amp;id_list=${ids.join(',')}&amp;start=0&amp;max_results=${max}</title>
  <updated>2026-11-22T00:00:00Z</updated>
  <opensearch:itemsPerPage>${max}</opensearch:itemsPerPage>
  <opensearch:totalResults>${total}</opensearch:totalResults>
  <opensearch:startIndex>0</opensearch:startIndex>
${entries.map((e) => `  ${e.xml}`).join('\n')}
</feed>
`;
}

function legacyFeed(entries: StoredEntry[], missing: string[], ids: string[]): string {
  const phantom = `<entry>
    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="" scheme="http://arxiv.org/schemas/atom"/>
    <category term="" scheme="http://arxiv.org/schemas/atom"/>
  </entry>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <link href="http://arxiv.org/api/query?id_list%3D${ids.join('%2C')}" rel="self" type="application/atom+xml"/>
  <title type="html">ArXiv Query: search_query=&amp;id_list=${ids.join(',')}&amp;start=0&amp;max_results=10</title>
  <id>http://arxiv.org/api/fake</id>
  <updated>2025-08-24T00:00:00-04:00</updated>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">${entries.length + missing.length}</opensearch:totalResults>
  <opensearch:startIndex xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">0</opensearch:startIndex>
  <opensearch:itemsPerPage xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">10</opensearch:itemsPerPage>
${missing.map(() => `  ${phantom}`).join('\n')}
${entries.map((e) => `  ${e.xml}`).join('\n')}
</feed>
`;
}

function errorFeed(bad: string): string {
  const tag = `incorrect_id_format_for_${bad}`;
  return `<?xml version='1.0' encoding='UTF-8'?>
<feed ${NS_OS} ${NS_ARXIV} xmlns="http://www.w3.org/2005/Atom">
  <id>https://arxiv.org/</id>
  <title>arXiv Search Results</title>
  <updated>2026-11-22T00:00:00Z</updated>
  <opensearch:itemsPerPage>1</opensearch:itemsPerPage>
  <opensearch:totalResults>1</opensearch:totalResults>
  <opensearch:startIndex>0</opensearch:startIndex>
  <entry>
    <id>https://arxiv.org/api/errors#${tag}</id>
    <title>Error</title>
    <updated>2026-11-22T00:00:00Z</updated>
    <link href="https://arxiv.org/api/errors#${tag}" rel="alternate" type="text/html"/>
    <summary>incorrect id format for ${bad}</summary>
    <author>
      <name>arXiv api core</name>
    </author>
  </entry>
</feed>
`;
}

/** A new-layout entry built from parts (recorded RSS items, or tests that need many papers). */
export function syntheticEntry(
  id: string,
  title: string,
  abstract: string,
  o: { version?: number; categories?: string[]; authors?: string[]; published?: string } = {},
): StoredEntry {
  const v = o.version ?? 1;
  const cats = o.categories?.length ? o.categories : ['cs.CL'];
  const published = o.published ?? '2026-11-20T18:00:00Z';
  const xml = `<entry ${NS_ARXIV}>
    <id>http://arxiv.org/abs/${id}v${v}</id>
    <title>${xmlEscape(title)}</title>
    <updated>${published}</updated>
    <link href="https://arxiv.org/abs/${id}v${v}" rel="alternate" type="text/html"/>
    <link href="https://arxiv.org/pdf/${id}v${v}" rel="related" type="application/pdf" title="pdf"/>
    <summary>${xmlEscape(abstract)}</summary>
${cats.map((c) => `    <category term="${c}" scheme="http://arxiv.org/schemas/atom"/>`).join('\n')}
    <published>${published}</published>
    <arxiv:primary_category term="${cats[0]}"/>
${(o.authors?.length ? o.authors : ['Test Author']).map((a) => `    <author>\n      <name>${xmlEscape(a)}</name>\n    </author>`).join('\n')}
  </entry>`;
  return { id, version: v, xml };
}

export interface FeedItem {
  id: string;
  version: number;
  title: string;
  abstract: string;
  announceType: 'new' | 'cross' | 'replace' | 'replace-cross';
  categories: string[];
  authors: string[];
}

/** An RSS 2.0 listing in rss.arxiv.org's shape; `pubDate` like "Thu, 24 Sep 2026 00:00:00 -0400". */
export function rssFeed(cats: string, pubDate: string, items: FeedItem[]): string {
  return `<?xml version='1.0' encoding='UTF-8'?>
<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom" version="2.0">
  <channel>
    <title>${cats.replace(/\+/g, ', ')} updates on arXiv.org</title>
    <link>http://rss.arxiv.org/rss/${cats}</link>
    <description>${cats} updates on the arXiv.org e-print archive.</description>
    <language>en-us</language>
    <pubDate>${pubDate}</pubDate>
    <skipDays>
      <day>Sunday</day>
      <day>Saturday</day>
    </skipDays>
${items
  .map(
    (it) => `    <item>
      <title>${xmlEscape(it.title)}</title>
      <link>https://arxiv.org/abs/${it.id}</link>
      <description>arXiv:${it.id}v${it.version} Announce Type: ${it.announceType} 
Abstract: ${xmlEscape(it.abstract)}</description>
      <guid isPermaLink="false">oai:arXiv.org:${it.id}v${it.version}</guid>
${it.categories.map((c) => `      <category>${c}</category>`).join('\n')}
      <pubDate>${pubDate}</pubDate>
      <arxiv:announce_type>${it.announceType}</arxiv:announce_type>
      <dc:rights>http://creativecommons.org/licenses/by/4.0/</dc:rights>
      <dc:creator>${xmlEscape(it.authors.join(', '))}</dc:creator>
    </item>`,
  )
  .join('\n')}
  </channel>
</rss>
`;
}
