/** `digest batch list` and `digest batch cancel ID`: the batches this machine submitted, as the cache keeps them. */
import { createCache, NO_CACHE } from '../cache/cache.js';
import { usageError } from '../errors.js';
import { batchStatus, cancelBatch, FINAL_STATES } from '../llm/batch-api.js';
import { createSdk } from '../llm/create-sdk.js';
import type { Io } from '../pipeline/context.js';
import type { BatchRecord } from '../pipeline/batch-run.js';
import { loadSettings } from '../settings/load.js';
import { requireKey, type CommonFlags } from '../settings/resolve.js';

export async function runBatch(action: string, id: string | undefined, flags: CommonFlags & { all?: boolean }, io: Io) {
  if (action !== 'list' && action !== 'cancel')
    throw usageError(`digest batch ${action}: unknown action (accepted: list, cancel ID)`);
  if (action === 'cancel' && !id)
    throw usageError('digest batch cancel: name the batch id (digest batch list shows them)');
  const o = await loadSettings(flags, io.env);
  const cache = o.cacheDir ? createCache(o.cacheDir) : NO_CACHE;
  const ids = (await cache.get<string[]>('batches', 'index')) ?? [];
  const records = (await Promise.all(ids.map((b) => cache.get<BatchRecord>('batches', b)))).filter(
    (r): r is BatchRecord => r !== undefined,
  );
  const client = await createSdk({ apiKey: requireKey(o.llm), baseURL: o.llm.baseURL, timeoutMs: o.llm.idleTimeoutMs });
  if (action === 'cancel') {
    const rec = records.find((r) => r.id === id);
    if (!rec) throw usageError(`digest batch cancel ${id}: no such batch in the cache (digest batch list shows them)`);
    const s = await cancelBatch(client, rec.id);
    await cache.set('batches', rec.id, { ...rec, state: s.state });
    io.stdout(`${rec.id}: ${s.state}\n`);
    return 0;
  }
  const shown = records.filter((r) => flags.all || !FINAL_STATES.includes(r.state as never));
  if (!shown.length) {
    io.logger.info(
      `no ${flags.all ? '' : 'pending '}batch${records.length && !flags.all ? ` (${records.length} finished: --all lists them)` : ''}`,
    );
    return 0;
  }
  for (const r of shown) {
    // the provider's word, when it is the endpoint this run talks to; else what the cache last saw
    const live = r.baseURL === o.llm.baseURL ? await batchStatus(client, r.id).catch(() => undefined) : undefined;
    if (live && live.state !== r.state) await cache.set('batches', r.id, { ...r, state: live.state });
    const papers = new Set(Object.values(r.labels).map((l) => l.split(' ')[0])).size;
    const counts = live?.total ? `, ${live.completed + live.failed}/${live.total} done` : '';
    io.stdout(
      `${r.id}  ${(live?.state ?? r.state).padEnd(11)}  ${r.model}  ${Object.keys(r.labels).length} request(s), ${papers} paper(s)${counts}  submitted ${r.submittedAt}\n`,
    );
  }
  return 0;
}
