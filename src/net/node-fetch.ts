/**
 * fetch on node:http(s), for the requests this tool makes (GET and POST with a text or byte body, no
 * proxy). Node's own fetch parses HTTP with undici's llhttp compiled to WebAssembly, which V8 compiles
 * a second time with TurboFan in the background once it is busy: ~30 MB of compiler memory that lands
 * in the middle of the day's first requests, and the largest single step in the run's peak memory.
 * node:http parses with the same llhttp, built into node. The Response is the standard one, so callers
 * (the openai SDK included) see no difference; what it does not cover (other bodies, redirect modes,
 * other schemes) goes to the built-in fetch.
 */
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';

type Init = RequestInit & { duplex?: string };

const NULL_BODY = new Set([101, 103, 204, 205, 304]);
const REDIRECT = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 20;
/** Ports the fetch standard refuses (the built-in fetch fails on them: so does this one, by leaving them to it). */
const BAD_PORTS = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110,
  111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532,
  540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061,
  6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

/** The error the built-in fetch reports for a connection the server closed: callers read its code. */
function socketClosed(): Error {
  return Object.assign(new Error('other side closed'), { name: 'SocketError', code: 'UND_ERR_SOCKET' });
}

/** A connection error as the built-in fetch words it: a server that hung up is undici's SocketError. */
function failed(message: 'fetch failed' | 'terminated', err: Error & { code?: string }): TypeError {
  const hungUp = err.code === 'ECONNRESET' && /socket hang up|^aborted$/.test(err.message);
  return new TypeError(message, { cause: hungUp ? socketClosed() : err });
}

export function nodeFetch(input: string | URL | Request, init: Init = {}): Promise<Response> {
  const body = init.body;
  const simple =
    (typeof input === 'string' || input instanceof URL) &&
    (body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array) &&
    (init.redirect === undefined || init.redirect === 'follow') &&
    /^https?:/i.test(String(input)) &&
    !BAD_PORTS.has(Number(new URL(String(input)).port));
  if (!simple) return globalThis.fetch(input, init);
  const headers = new Headers(init.headers);
  if (typeof body === 'string' && !headers.has('content-type')) headers.set('content-type', 'text/plain;charset=UTF-8');
  // what the built-in fetch adds
  if (!headers.has('accept')) headers.set('accept', '*/*');
  if (!headers.has('accept-language')) headers.set('accept-language', '*');
  if (!headers.has('sec-fetch-mode')) headers.set('sec-fetch-mode', 'cors');
  if (!headers.has('user-agent')) headers.set('user-agent', 'node');
  if (!headers.has('accept-encoding')) headers.set('accept-encoding', 'gzip, deflate');
  const bytes = body === undefined || body === null ? undefined : typeof body === 'string' ? Buffer.from(body) : body;
  return send(
    new URL(String(input)),
    (init.method ?? 'GET').toUpperCase(),
    headers,
    bytes,
    init.signal ?? undefined,
    0,
  );
}

function send(
  url: URL,
  method: string,
  headers: Headers,
  body: Uint8Array | undefined,
  signal: AbortSignal | undefined,
  redirects: number,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const out: Record<string, string> = {};
    headers.forEach((v, k) => (out[k] = v));
    if (body) out['content-length'] = String(body.byteLength);
    else if (method === 'POST' || method === 'PUT' || method === 'PATCH') out['content-length'] = '0';
    const lib = url.protocol === 'https:' ? https : http;
    let settled = false;
    const onAbort = () => {
      req.destroy(signal!.reason);
      if (!settled) {
        settled = true;
        reject(signal!.reason);
      }
    };
    const req = lib.request(url, { method, headers: out }, (res) => {
      const status = res.statusCode ?? 0;
      const location = res.headers['location'];
      if (REDIRECT.has(status) && location) {
        res.resume();
        signal?.removeEventListener('abort', onAbort);
        settled = true;
        let next: URL;
        try {
          next = new URL(location, url);
          if (next.protocol !== 'http:' && next.protocol !== 'https:')
            throw new Error('URL scheme must be a HTTP(S) scheme');
          if (redirects >= MAX_REDIRECTS) throw new Error('redirect count exceeded');
        } catch (err) {
          reject(new TypeError('fetch failed', { cause: err }));
          return;
        }
        // 303, and 301/302 after a POST, go on as a GET without the body
        const toGet = status === 303 || ((status === 301 || status === 302) && method === 'POST');
        const nextHeaders = new Headers(headers);
        if (toGet)
          for (const h of ['content-type', 'content-length', 'content-encoding', 'content-language'])
            nextHeaders.delete(h);
        if (next.origin !== url.origin) nextHeaders.delete('authorization');
        resolve(send(next, toGet ? 'GET' : method, nextHeaders, toGet ? undefined : body, signal, redirects + 1));
        return;
      }
      const resHeaders = new Headers();
      for (let i = 0; i < res.rawHeaders.length; i += 2) resHeaders.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
      let stream: Readable = res;
      const coding = String(res.headers['content-encoding'] ?? '')
        .trim()
        .toLowerCase();
      if (coding === 'gzip' || coding === 'x-gzip')
        stream = res.pipe(
          zlib.createGunzip({ flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH }),
        );
      else if (coding === 'deflate') stream = res.pipe(zlib.createInflate());
      else if (coding === 'br') stream = res.pipe(zlib.createBrotliDecompress());
      if (stream !== res) res.on('error', (err) => stream.destroy(err));
      const empty = NULL_BODY.has(status) || method === 'HEAD';
      if (empty) res.resume();
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      // an abort after the headers ends the body with the signal's reason, as fetch does
      const onBodyAbort = () => {
        req.destroy();
        stream.destroy();
      };
      signal?.addEventListener('abort', onBodyAbort, { once: true });
      stream.on('close', () => signal?.removeEventListener('abort', onBodyAbort));
      resolve(
        new Response(empty ? null : webBody(stream, req, signal), {
          status,
          statusText: res.statusMessage ?? '',
          headers: resHeaders,
        }),
      );
    });
    req.on('error', (err) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      reject(signal?.aborted ? signal.reason : failed('fetch failed', err));
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    req.end(body);
  });
}

/**
 * The body as a web stream that fails the way the built-in fetch's does: with the signal's reason on an
 * abort, and with TypeError('terminated') when the server drops the connection in the middle.
 */
function webBody(
  stream: Readable,
  req: http.ClientRequest,
  signal: AbortSignal | undefined,
): ReadableStream<Uint8Array> {
  let done = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      stream.on('data', (chunk: Buffer) => {
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) stream.pause();
      });
      stream.on('end', () => {
        if (done) return;
        done = true;
        controller.close();
      });
      const fail = (err?: Error & { code?: string }) => {
        if (done) return;
        done = true;
        if (signal?.aborted) controller.error(signal.reason);
        else controller.error(!err || err.code === 'ECONNRESET' ? failed('terminated', err ?? hangUp()) : err);
      };
      stream.on('error', fail);
      stream.on('close', () => {
        if (!done && !stream.readableEnded) fail();
      });
    },
    pull() {
      stream.resume();
    },
    cancel() {
      done = true;
      stream.destroy();
      req.destroy();
    },
  });
}

function hangUp(): Error {
  return Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
}
