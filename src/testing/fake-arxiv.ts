/**
 * A fake arXiv export API on 127.0.0.1 that serves entries from the recorded feeds in fixtures/arxiv,
 * in the 2025-11 layout or the legacy one, with scripted faults. Used by the tests, the demo and the bench.
 */
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { listenLocal } from './local-server.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES_DIR = fileURLToPath(new URL('../../fixtures/', import.meta.url));

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

interface StoredEntry {
  id: string;
  version: number;
  xml: string;
}

const NS_ARXIV = 'xmlns:arxiv="http://arxiv.org/schemas/atom"';
const NS_OS = 'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"';

export function loadFixtureEntries(dir = path.join(FIXTURES_DIR, 'arxiv')): Map<string, StoredEntry> {
  const map = new Map<string, StoredEntry>();
  // newest layout files last so they win for ids recorded twice
  const files = readdirSync(dir).filter((f) => f.startsWith('api-') && f.endsWith('.xml')).sort((a, b) => rank(a) - rank(b));
  for (const f of files) {
    const xml = readFileSync(path.join(dir, f), 'utf8');
    for (const m of xml.matchAll(/<entry>[\s\S]*?<\/entry>/g)) {
      const id = /<id>https?:\/\/arxiv\.org\/abs\/(.+?)v(\d+)<\/id>/.exec(m[0]);
      if (!id) continue;
      // legacy entries declare the arxiv namespace per element; declaring it on <entry> too keeps each self-contained
      map.set(id[1]!, { id: id[1]!, version: Number(id[2]), xml: m[0].replace('<entry>', `<entry ${NS_ARXIV}>`) });
    }
  }
  return map;
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
}

export class FakeArxiv {
  readonly requests: RecordedRequest[] = [];
  private readonly faults: ArxivFault[] = [];
  private readonly entries: Map<string, StoredEntry>;
  private stopServer: (() => Promise<void>) | undefined;
  url = '';

  constructor(private readonly opts: FakeArxivOptions = {}) {
    this.entries = loadFixtureEntries();
    for (const [k, v] of opts.extra ?? []) this.entries.set(k, v);
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

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const ids = (url.searchParams.get('id_list') ?? '').split(',').filter(Boolean);
    this.requests.push({ url: req.url ?? '', ids, at: Date.now(), headers: req.headers });
    if (this.opts.latencyMs) await new Promise((r) => setTimeout(r, this.opts.latencyMs));
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

/** A synthetic new-layout entry (for tests that need more papers than were recorded). */
export function syntheticEntry(id: string, title: string, abstract: string): StoredEntry {
  const xml = `<entry ${NS_ARXIV}>
    <id>http://arxiv.org/abs/${id}v1</id>
    <title>${title}</title>
    <updated>2026-11-20T18:00:00Z</updated>
    <link href="https://arxiv.org/abs/${id}v1" rel="alternate" type="text/html"/>
    <link href="https://arxiv.org/pdf/${id}v1" rel="related" type="application/pdf" title="pdf"/>
    <summary>${abstract}</summary>
    <category term="cs.CL" scheme="http://arxiv.org/schemas/atom"/>
    <published>2026-11-20T18:00:00Z</published>
    <arxiv:primary_category term="cs.CL"/>
    <author>
      <name>Test Author</name>
    </author>
  </entry>`;
  return { id, version: 1, xml };
}
