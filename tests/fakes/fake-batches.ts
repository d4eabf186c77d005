/**
 * The Batch API of the fake OpenAI-compatible server: POST /files (multipart, purpose=batch), GET
 * /files/{id}/content, POST /batches, GET /batches/{id} (one step validating → in_progress → finalizing →
 * completed per poll), POST /batches/{id}/cancel, GET /batches. Each line is answered by the fake model.
 * Misbehaviour by the model name in the lines: "batch-partial" (every third request in the error file),
 * "batch-missing" (every third request in neither file), "batch-fail" (the batch fails validation),
 * "batch-expire" (expires with half the answers).
 */
import type http from 'node:http';

interface StoredFile {
  id: string;
  filename: string;
  purpose: string;
  content: string;
}

interface Batch {
  id: string;
  endpoint: string;
  inputFileId: string;
  status: string;
  steps: number;
  lines: Array<{ custom_id: string; url: string; body: Record<string, unknown> }>;
  outputFileId?: string;
  errorFileId?: string;
  errors?: Array<{ code: string; message: string }>;
  metadata?: unknown;
}

const ORDER = ['validating', 'in_progress', 'finalizing', 'completed'];

export class FakeBatches {
  readonly files = new Map<string, StoredFile>();
  readonly batches = new Map<string, Batch>();
  /** Every upload and batch creation, for tests that count submissions. */
  uploads = 0;
  creates = 0;
  /** Polls each state lasts (tests raise it to catch a batch in progress). */
  pollsPerState = 1;

  constructor(private readonly answer: (body: Record<string, unknown>) => string) {}

  reset(): void {
    this.files.clear();
    this.batches.clear();
    this.uploads = 0;
    this.creates = 0;
    this.pollsPerState = 1;
  }

  /** true when the request was a Batch API request (answered here). */
  handle(req: http.IncomingMessage, raw: Buffer, res: http.ServerResponse): boolean {
    const url = (req.url ?? '').replace(/\?.*$/, '');
    const json = (status: number, body: unknown) =>
      void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const notFound = (what: string) =>
      json(404, { error: { message: `no such ${what}`, type: 'invalid_request_error' } });
    let m: RegExpExecArray | null;
    if (req.method === 'POST' && /\/files$/.test(url)) {
      const parts = multipart(raw, String(req.headers['content-type'] ?? ''));
      const file = parts.get('file');
      if (!file || parts.get('purpose')?.content !== 'batch')
        return (json(400, { error: { message: 'expected a file and purpose=batch' } }), true);
      const id = `file-${this.files.size + 1}`;
      this.uploads++;
      this.files.set(id, { id, filename: file.filename ?? 'upload.jsonl', purpose: 'batch', content: file.content });
      json(200, {
        id,
        object: 'file',
        bytes: Buffer.byteLength(file.content),
        filename: file.filename,
        purpose: 'batch',
        created_at: 1_763_000_000,
        status: 'processed',
      });
      return true;
    }
    if (req.method === 'GET' && (m = /\/files\/([^/]+)\/content$/.exec(url))) {
      const f = this.files.get(m[1]!);
      if (!f) return (notFound('file'), true);
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(f.content);
      return true;
    }
    if (req.method === 'POST' && /\/batches$/.test(url)) {
      const body = JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>;
      const input = this.files.get(String(body['input_file_id']));
      if (!input) return (notFound('file'), true);
      this.creates++;
      const lines = input.content
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as Batch['lines'][number]);
      const endpoint = String(body['endpoint']);
      const batch: Batch = {
        id: `batch_${this.batches.size + 1}`,
        endpoint,
        inputFileId: input.id,
        status: 'validating',
        steps: 0,
        lines,
        metadata: body['metadata'] ?? null,
      };
      const wrongUrl = lines.find((l) => l.url !== endpoint);
      if (wrongUrl)
        batch.errors = [
          { code: 'invalid_url', message: `line url ${wrongUrl.url} is not the batch endpoint ${endpoint}` },
        ];
      if (lines.some((l) => /batch-fail/.test(String(l.body['model']))))
        batch.errors = [{ code: 'invalid_request', message: 'the model does not support batch' }];
      this.batches.set(batch.id, batch);
      json(200, this.view(batch));
      return true;
    }
    if (req.method === 'GET' && /\/batches$/.test(url)) {
      json(200, { object: 'list', data: [...this.batches.values()].map((b) => this.view(b)), has_more: false });
      return true;
    }
    if (req.method === 'GET' && (m = /\/batches\/([^/]+)$/.exec(url))) {
      const b = this.batches.get(m[1]!);
      if (!b) return (notFound('batch'), true);
      this.advance(b);
      json(200, this.view(b));
      return true;
    }
    if (req.method === 'POST' && (m = /\/batches\/([^/]+)\/cancel$/.exec(url))) {
      const b = this.batches.get(m[1]!);
      if (!b) return (notFound('batch'), true);
      if (!['completed', 'failed', 'expired', 'cancelled'].includes(b.status)) b.status = 'cancelled';
      json(200, this.view(b));
      return true;
    }
    return false;
  }

  private advance(b: Batch): void {
    if (['completed', 'failed', 'expired', 'cancelled'].includes(b.status)) return;
    if (++b.steps < this.pollsPerState) return;
    b.steps = 0;
    if (b.errors) {
      b.status = 'failed';
      return;
    }
    const next = ORDER[ORDER.indexOf(b.status) + 1] ?? 'completed';
    const expire = b.lines.some((l) => /batch-expire/.test(String(l.body['model'])));
    if (next === 'completed' || (expire && next === 'finalizing')) this.finish(b, expire);
    else b.status = next;
  }

  private finish(b: Batch, expire: boolean): void {
    const out: string[] = [];
    const errs: string[] = [];
    b.lines.forEach((l, i) => {
      const model = String(l.body['model']);
      if (expire && i >= b.lines.length / 2) return;
      if (/batch-missing/.test(model) && i % 3 === 2) return;
      if (/batch-partial/.test(model) && i % 3 === 2) {
        errs.push(
          JSON.stringify({
            id: `batch_req_${i}`,
            custom_id: l.custom_id,
            response: {
              status_code: 400,
              request_id: `r${i}`,
              body: { error: { message: 'content filtered', type: 'invalid_request_error' } },
            },
            error: null,
          }),
        );
        return;
      }
      const text = this.answer(l.body);
      out.push(
        JSON.stringify({
          id: `batch_req_${i}`,
          custom_id: l.custom_id,
          response: {
            status_code: 200,
            request_id: `r${i}`,
            body: {
              id: `chatcmpl-batch-${i}`,
              object: 'chat.completion',
              model,
              choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
              usage: {
                prompt_tokens: Math.ceil(JSON.stringify(l.body).length / 4),
                completion_tokens: Math.ceil(text.length / 2),
                total_tokens: 0,
              },
            },
          },
          error: null,
        }),
      );
    });
    const store = (content: string) => {
      const id = `file-${this.files.size + 1}`;
      this.files.set(id, {
        id,
        filename: `${b.id}.jsonl`,
        purpose: 'batch_output',
        content: content ? `${content}\n` : '',
      });
      return id;
    };
    if (out.length) b.outputFileId = store(out.join('\n'));
    if (errs.length) b.errorFileId = store(errs.join('\n'));
    b.status = expire ? 'expired' : 'completed';
  }

  private view(b: Batch): Record<string, unknown> {
    const total = b.lines.length;
    const done = b.status === 'completed' || b.status === 'expired';
    const failedLines = b.errorFileId
      ? (this.files.get(b.errorFileId)?.content.split('\n').filter(Boolean).length ?? 0)
      : 0;
    const completedLines = b.outputFileId
      ? (this.files.get(b.outputFileId)?.content.split('\n').filter(Boolean).length ?? 0)
      : 0;
    return {
      id: b.id,
      object: 'batch',
      endpoint: b.endpoint,
      input_file_id: b.inputFileId,
      completion_window: '24h',
      status: b.status,
      output_file_id: b.outputFileId ?? null,
      error_file_id: b.errorFileId ?? null,
      created_at: 1_763_000_000,
      errors: b.errors && b.status === 'failed' ? { object: 'list', data: b.errors } : null,
      request_counts: { total, completed: done ? completedLines : 0, failed: done ? failedLines : 0 },
      metadata: b.metadata ?? null,
    };
  }
}

/** The parts of a multipart/form-data body by field name. */
function multipart(raw: Buffer, contentType: string): Map<string, { filename?: string; content: string }> {
  const out = new Map<string, { filename?: string; content: string }>();
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!boundary) return out;
  const text = raw.toString('utf8');
  for (const part of text.split(`--${boundary[1] ?? boundary[2]}`)) {
    const split = part.indexOf('\r\n\r\n');
    if (split === -1) continue;
    const head = part.slice(0, split);
    const name = /name="([^"]*)"/i.exec(head)?.[1];
    if (!name) continue;
    const filename = /filename="([^"]*)"/i.exec(head)?.[1];
    out.set(name, {
      ...(filename !== undefined ? { filename } : {}),
      content: part.slice(split + 4).replace(/\r\n$/, ''),
    });
  }
  return out;
}
