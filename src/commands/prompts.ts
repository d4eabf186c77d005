/** `digest prompts [name]`: list the templates in effect, or show one. */
import { templateSet, TEMPLATE_VARIABLES } from '../templates/template.js';

export async function runPrompts(name: string | undefined, flags: { prompts?: string }, env: Record<string, string | undefined>, out: (s: string) => void): Promise<number> {
  const set = templateSet(flags.prompts ?? env['DIGEST_PROMPTS_DIR']);
  if (name) {
    const t = await set.get(name);
    out(`# ${t.name} (${t.builtin ? 'built-in' : 'override'}: ${t.file}, hash ${t.hash})\n`);
    out(t.raw.endsWith('\n') ? t.raw : `${t.raw}\n`);
    return 0;
  }
  const list = await set.list();
  const width = Math.max(...list.map((t) => t.name.length), 4);
  for (const t of list) {
    out(`${t.name.padEnd(width)}  ${t.kind.padEnd(7)}  ${t.builtin ? 'built-in' : 'override'}  ${t.description}\n`);
  }
  out(`\nvariables: ${Object.keys(TEMPLATE_VARIABLES).join(', ')}\n`);
  return 0;
}
