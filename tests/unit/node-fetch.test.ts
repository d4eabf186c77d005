import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeFetch } from '../../src/net/node-fetch.js';

// every case is asked of the built-in fetch and of nodeFetch: what callers can see must be the same
let server: http.Server;
let base = '';
const seen: Array<{ url: string; method: string; headers: http.IncomingHttpHeaders; body: string }> = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const url = req.url ?? '';
      seen.push({ url, method: req.method ?? '', headers: req.headers, body });
      const m = /^\/redirect\/(\d+)(\/.*)$/.exec(url);
      if (m) return res.writeHead(Number(m[1]), { location: m[2] }).end('moved');
      if (url === '/loop') return res.writeHead(302, { location: '/loop' }).end();
      if (url === '/elsewhere') return res.writeHead(301, { location: 'ftp://example.com/' }).end();
      if (url === '/reset') return req.socket.destroy();
      if (url === '/mid') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('partial');
        setTimeout(() => req.socket.destroy(), 30);
        return;
      }
      if (url === '/slow') {
        res.writeHead(200);
        res.write('first');
        return;
      }
      if (url === '/empty') return res.writeHead(204).end();
      const text = `${req.method} ${url} ${body} ${'日本語 '.repeat(3)}`.repeat(url === '/big' ? 2000 : 1);
      const coding = /^\/(gzip|deflate|br)/.exec(url)?.[1];
      const headers = {
        'content-type': 'text/plain; charset=utf-8',
        'x-many': ['a', 'b'],
        'set-cookie': ['c=1', 'd=2'],
      };
      if (coding === 'gzip')
        return res.writeHead(201, 'Made', { ...headers, 'content-encoding': 'gzip' }).end(zlib.gzipSync(text));
      if (coding === 'deflate')
        return res.writeHead(200, { ...headers, 'content-encoding': 'deflate' }).end(zlib.deflateSync(text));
      if (coding === 'br')
        return res.writeHead(200, { ...headers, 'content-encoding': 'br' }).end(zlib.brotliCompressSync(text));
      res.writeHead(200, headers).end(text);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

async function outcome(f: Fetch, url: string, init?: RequestInit): Promise<unknown> {
  try {
    const res = await f(url, init);
    const headers = [...res.headers].filter(([k]) => k !== 'date' && k !== 'keep-alive' && k !== 'connection');
    let body: unknown;
    try {
      body = await res.text();
    } catch (err) {
      body = failure(err);
    }
    return { status: res.status, statusText: res.statusText, ok: res.ok, headers, body };
  } catch (err) {
    return failure(err);
  }
}

function failure(err: unknown) {
  const e = err as Error & { cause?: Error & { code?: string } };
  return {
    error: e.name,
    message: e.message,
    cause: e.cause?.name,
    causeMessage: e.cause?.message,
    code: e.cause?.code,
  };
}

async function both(path: string, init?: () => RequestInit) {
  seen.length = 0;
  const builtin = await outcome(globalThis.fetch, base + path, init?.());
  const asked = seen.map(({ url, method, body, headers }) => ({ url, method, body, headers: { ...headers, host: 0 } }));
  seen.length = 0;
  const ours = await outcome(nodeFetch, base + path, init?.());
  const oursAsked = seen.map(({ url, method, body, headers }) => ({
    url,
    method,
    body,
    headers: { ...headers, host: 0 },
  }));
  return { builtin, ours, asked, oursAsked };
}

describe('nodeFetch answers as the built-in fetch does', () => {
  it.each([
    ['a GET', '/plain', undefined],
    [
      'a POST with a JSON body and headers',
      '/post',
      { method: 'post', body: '{"a":1}', headers: { 'content-type': 'application/json', authorization: 'Bearer k' } },
    ],
    ['a text body without a type', '/text', { method: 'POST', body: 'hello' }],
    ['bytes', '/bytes', { method: 'PUT', body: new TextEncoder().encode('bytes') }],
    ['gzip (status text kept)', '/gzip', undefined],
    ['deflate', '/deflate', undefined],
    ['brotli', '/br', undefined],
    ['a large body', '/big', undefined],
    ['no content', '/empty', undefined],
    ['301 after a POST: a GET', '/redirect/301/plain', { method: 'POST', body: 'x' }],
    ['303: a GET', '/redirect/303/plain', { method: 'POST', body: 'x' }],
    ['307 keeps the method and body', '/redirect/307/plain', { method: 'POST', body: 'x' }],
    ['308 keeps the method and body', '/redirect/308/plain', { method: 'POST', body: 'x' }],
    ['a redirect loop', '/loop', undefined],
    ['a redirect to another scheme', '/elsewhere', undefined],
    ['a server that hangs up', '/reset', undefined],
    ['a body cut in the middle', '/mid', undefined],
  ] as Array<[string, string, RequestInit | undefined]>)('%s', async (_what, path, init) => {
    const r = await both(path, init && (() => init));
    expect(r.ours).toEqual(r.builtin);
    expect(r.oursAsked).toEqual(r.asked);
  });

  it('a refused connection and a bad port fail the same way', async () => {
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const closed = `http://127.0.0.1:${(probe.address() as AddressInfo).port}/`;
    await new Promise((r) => probe.close(r));
    for (const url of [closed, 'http://127.0.0.1:6000/'])
      expect(await outcome(nodeFetch, url)).toEqual(await outcome(globalThis.fetch, url));
  });

  it('an abort before or after the headers ends it with the signal reason', async () => {
    for (const f of [globalThis.fetch, nodeFetch] as Fetch[]) {
      const before = new AbortController();
      const pending = f(`${base}/slow`, { signal: before.signal }).then((r) => r.text());
      before.abort(new Error('stop'));
      await expect(pending).rejects.toThrow('stop');
      await expect(f(`${base}/slow`, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
      const after = new AbortController();
      const res = await f(`${base}/slow`, { signal: after.signal });
      const reader = res.body!.getReader();
      expect(new TextDecoder().decode((await reader.read()).value)).toBe('first');
      setTimeout(() => after.abort(), 10);
      await expect(reader.read()).rejects.toMatchObject({ name: 'AbortError' });
      const timed = await f(`${base}/slow`, { signal: AbortSignal.timeout(50) });
      await expect(timed.text()).rejects.toMatchObject({ name: 'TimeoutError' });
    }
  });
});
