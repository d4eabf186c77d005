/** What a run tells the user at the end, on stderr: one line per failure reason, and the summary line. */
import type { Paper } from '../arxiv/paper.js';
import type { LlmTally } from '../llm/llm-client.js';
import type { Logger } from '../ui/logger.js';
import type { PaperOutcome } from './run-papers.js';

/** Papers that were not written, grouped by reason. */
export function reportOutcomes(outcomes: PaperOutcome[], papers: Paper[], logger: Logger): void {
  const groups = new Map<string, string[]>();
  outcomes.forEach((o, i) => {
    if (o.status === 'done') return;
    const k = `${o.status}: ${o.reason}`;
    groups.set(k, [...(groups.get(k) ?? []), `${papers[i]!.id}v${papers[i]!.version}`]);
  });
  for (const [reason, ids] of groups) logger.info(`${reason} — ${ids.join(', ')}`);
}

export function summaryLine(outcomes: PaperOutcome[], llm: LlmTally | undefined, extra = ''): string {
  const n = (s: PaperOutcome['status']) => outcomes.filter((x) => x.status === s).length;
  const cached = outcomes.reduce((a, x) => a + (x.status === 'done' ? x.result.cachedCalls : 0), 0);
  const u = llm?.usage;
  const f = llm?.followUps;
  const followUps = f?.requests
    ? ` · ${f.requests} follow-up request(s) for missing answers, titles or corrections (tokens in ${f.promptTokens}, out ${f.completionTokens})`
    : '';
  const tokens = u
    ? ` · ${llm!.requests} LLM request(s)${cached ? `, ${cached} answer(s) from cache` : ''}, tokens in ${u.promptTokens}${u.cachedTokens ? ` (cached ${u.cachedTokens})` : ''}, out ${u.completionTokens}${followUps}`
    : '';
  return `${n('done')} of ${outcomes.length} done, ${n('skipped')} skipped, ${n('failed')} failed${tokens}${extra}`;
}
