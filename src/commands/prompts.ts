/** `digest prompts [name]`: list the templates in effect, or show one. */
import { loadSettings } from '../settings/load.js';
import type { CommonFlags, Env } from '../settings/resolve.js';
import { templateSet, TEMPLATE_VARIABLES } from '../templates/template.js';

export async function runPrompts(
  name: string | undefined,
  flags: Pick<CommonFlags, 'prompts' | 'config'>,
  env: Env,
  out: (s: string) => void,
): Promise<number> {
  // the same resolver as fetch and daily: --prompts > DIGEST_PROMPTS_DIR > the config file's "prompts"
  const set = templateSet((await loadSettings(flags, env)).templateDir);
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
