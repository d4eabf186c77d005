/** digest fetch --dry-run: the exact messages each template would send, as text or JSON lines. */
import type { Paper } from '../arxiv/paper.js';
import type { Template } from '../templates/template.js';
import { buildMessages, keyFigure, promptWriting } from './messages.js';
import type { TextAccess } from './paper-text.js';

export async function showPrompts(
  papers: Paper[],
  templates: Template[],
  json: boolean,
  out: (s: string) => void,
  text: TextAccess,
): Promise<void> {
  for (const paper of papers) {
    const full = templates.some((t) => text.sourceFor(t) === 'full') ? await text.getText(paper) : undefined;
    const writing = promptWriting(paper, text.writing);
    for (const tpl of templates) {
      const built = buildMessages(paper, tpl, {
        ...(text.sourceFor(tpl) === 'full' && full ? { text: full } : {}),
        contextTokens: text.contextTokens,
        ...(tpl.kind === 'post' && keyFigure(full) ? { figure: keyFigure(full)! } : {}),
        ...(writing ? { writing } : {}),
      });
      const messages = [...built.messages, ...(built.questions ?? [])];
      if (json) {
        out(
          `${JSON.stringify({ arxiv_id: paper.id, arxiv_version: paper.version, template: tpl.name, template_hash: tpl.hash, temperature: tpl.temperature ?? null, max_tokens: tpl.maxTokens ?? null, messages })}\n`,
        );
        continue;
      }
      for (const m of messages) {
        out(`===== ${paper.id}v${paper.version} · ${tpl.name} · ${m.role} =====\n${m.content}\n\n`);
      }
    }
  }
}
