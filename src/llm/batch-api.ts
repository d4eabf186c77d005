/**
 * The providers' OpenAI-style Batch API, on the `openai` SDK: requests as JSONL uploaded with
 * purpose=batch, one batch per file, its status polled, its output and error files read back and matched
 * to requests by custom_id. OpenAI, DashScope, Zhipu (endpoint /v4/chat/completions), Kimi and SiliconFlow
 * run it at about half the price; the variants are in the status fields, which are read tolerantly.
 */
import type OpenAI from 'openai';

/** One request of a batch: what the normal call would send, named so its answer can be found. */
export interface BatchRequest {
  custom_id: string;
  body: Record<string, unknown>;
}

export type BatchState =
  'validating' | 'in_progress' | 'finalizing' | 'completed' | 'failed' | 'expired' | 'cancelling' | 'cancelled';

export interface BatchStatus {
  id: string;
  state: BatchState;
  total: number;
  completed: number;
  failed: number;
  outputFileId?: string;
  errorFileId?: string;
  /** Why a batch failed as a whole (validation errors, expiry), when the provider says. */
  reason?: string;
}

/** A finished batch read back: each request's answer text, or why it failed. */
export interface BatchResults {
  answers: Map<string, { text: string; usage?: { prompt_tokens?: number; completion_tokens?: number } }>;
  failures: Map<string, string>;
}

export const FINAL_STATES: readonly BatchState[] = ['completed', 'failed', 'expired', 'cancelled'];

/** The JSONL a batch uploads: one request per line, for the endpoint the provider names. */
export function batchFile(requests: BatchRequest[], endpoint: string): string {
  return requests
    .map((r) => JSON.stringify({ custom_id: r.custom_id, method: 'POST', url: endpoint, body: r.body }))
    .join('\n')
    .concat('\n');
}

/** Upload the requests and start one batch; returns its id and the input file's. */
export async function submitBatch(
  client: OpenAI,
  requests: BatchRequest[],
  o: { endpoint: string; window?: string; metadata?: Record<string, string> },
): Promise<{ batchId: string; inputFileId: string }> {
  const { toFile } = await import('openai');
  const file = await client.files.create({
    file: await toFile(Buffer.from(batchFile(requests, o.endpoint), 'utf8'), 'arxiv-digest-batch.jsonl', {
      type: 'application/jsonl',
    }),
    purpose: 'batch',
  });
  const batch = await client.batches.create({
    input_file_id: file.id,
    endpoint: o.endpoint as '/v1/chat/completions',
    completion_window: (o.window ?? '24h') as '24h',
    ...(o.metadata ? { metadata: o.metadata } : {}),
  });
  return { batchId: batch.id, inputFileId: file.id };
}

const STATES = new Set<string>([
  'validating',
  'in_progress',
  'finalizing',
  'completed',
  'failed',
  'expired',
  'cancelling',
  'cancelled',
]);

/** A provider's batch object read into one shape (DashScope and Zhipu name a few things their own way). */
export function readStatus(raw: Record<string, unknown>): BatchStatus {
  const counts = (raw['request_counts'] ?? {}) as Record<string, unknown>;
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  const state = String(raw['status'] ?? '').toLowerCase();
  const errors = (raw['errors'] as { data?: Array<{ message?: string; code?: string }> } | null | undefined)?.data;
  const reason = errors?.length
    ? errors
        .map((e) => e.message ?? e.code ?? '')
        .filter(Boolean)
        .join('; ')
    : typeof raw['error'] === 'string'
      ? raw['error']
      : undefined;
  return {
    id: String(raw['id']),
    state: (STATES.has(state) ? state : 'in_progress') as BatchState,
    total: n(counts['total']),
    completed: n(counts['completed']),
    failed: n(counts['failed']),
    ...(raw['output_file_id'] ? { outputFileId: String(raw['output_file_id']) } : {}),
    ...(raw['error_file_id'] ? { errorFileId: String(raw['error_file_id']) } : {}),
    ...(reason ? { reason } : {}),
  };
}

export async function batchStatus(client: OpenAI, id: string): Promise<BatchStatus> {
  return readStatus((await client.batches.retrieve(id)) as unknown as Record<string, unknown>);
}

export async function cancelBatch(client: OpenAI, id: string): Promise<BatchStatus> {
  return readStatus((await client.batches.cancel(id)) as unknown as Record<string, unknown>);
}

async function fileText(client: OpenAI, id: string): Promise<string> {
  const res = await client.files.content(id);
  return res.text();
}

/**
 * The answers of a finished batch by custom_id, and the reason of every request that has none (a line of
 * the error file, a non-200 line of the output file, or missing from both: a partial batch).
 */
export async function batchResults(client: OpenAI, status: BatchStatus, ids: string[]): Promise<BatchResults> {
  const answers: BatchResults['answers'] = new Map();
  const failures = new Map<string, string>();
  const lines = async (fileId: string | undefined) =>
    fileId
      ? (await fileText(client, fileId))
          .split('\n')
          .filter((l) => l.trim())
          .flatMap((l) => {
            try {
              return [JSON.parse(l) as Record<string, unknown>];
            } catch {
              return [];
            }
          })
      : [];
  for (const line of [...(await lines(status.outputFileId)), ...(await lines(status.errorFileId))]) {
    const id = String(line['custom_id'] ?? '');
    if (!id || answers.has(id)) continue;
    const response = (line['response'] ?? {}) as { status_code?: number; body?: Record<string, unknown> };
    const body = response.body ?? {};
    const choice = (body['choices'] as Array<{ message?: { content?: unknown } }> | undefined)?.[0];
    const text = choice?.message?.content;
    if ((response.status_code ?? 200) === 200 && typeof text === 'string' && text.trim()) {
      answers.set(id, { text, ...(body['usage'] ? { usage: body['usage'] as never } : {}) });
      failures.delete(id);
      continue;
    }
    const err = (line['error'] ?? body['error']) as { message?: string; code?: string } | string | null | undefined;
    const why =
      typeof err === 'string'
        ? err
        : (err?.message ?? err?.code ?? (response.status_code ? `HTTP ${response.status_code}` : 'no answer'));
    failures.set(id, why);
  }
  for (const id of ids)
    if (!answers.has(id) && !failures.has(id))
      failures.set(id, status.state === 'completed' ? 'not in the batch output' : `the batch ${status.state}`);
  return { answers, failures };
}
