/**
 * Names a Chinese post gives (models, datasets, benchmarks: GPT-4o, Llama-3-8B, MMLU, ImageNet, SQuAD)
 * that the English text the model was given never mentions. An acronym the post spells out itself
 * (指令微调（Instruction Tuning，IT）) and the field's everyday words (LLM, GPU, SOTA) are not names.
 */
import { blankNonProse, sentenceAt, type Claim } from './figures.js';

const GENERIC = new Set(
  `ai agi llm llms mllm mllms vlm vlms nlp cv ml dl rl gpu gpus cpu cpus tpu tpus npu api apis sota qa
ok pdf html url urls http https arxiv github json yaml csv sql io ui ux id ids gb mb tb kb pb ms
ghz mhz flops flop tflops pflops fp16 fp32 bf16 int8 int4 fp8 k8s os ii iii iv 2d 3d 4d 1d`.split(/\s+/),
);

const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Name-like: letters with digits (GPT-4o, T5), or two capitals or more (MMLU, ImageNet, LLaMA). */
function looksLikeName(t: string): boolean {
  if (GENERIC.has(t.toLowerCase()) || GENERIC.has(t.toLowerCase().replace(/s$/, ''))) return false;
  const letters = /[A-Za-z]/.test(t);
  return letters && (/\d/.test(t) || (t.match(/[A-Z]/g)?.length ?? 0) >= 2);
}

/** An all-capitals acronym whose words are written out somewhere in the post or the source. */
function spelledOut(acronym: string, texts: string): boolean {
  if (!/^[A-Z]{2,6}s?$/.test(acronym)) return false;
  const letters = acronym.replace(/s$/, '').split('');
  return new RegExp(
    `\\b${letters.map((c) => `${c}[\\w]*`).join('[\\s-]+(?:(?:of|for|from|and|the|with|in|on|to|by|a|an)[\\s-]+)?')}`,
    'i',
  ).test(texts);
}

export function unsupportedNames(post: string, source: string): Claim[] {
  const text = blankNonProse(post);
  const known = squash(source);
  const both = `${post}\n${source}`;
  const out: Claim[] = [];
  for (const m of text.matchAll(/(?<![A-Za-z0-9_-])[A-Za-z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*(?![A-Za-z0-9_])/g)) {
    const name = m[0].replace(/[.-]+$/, '');
    if (!looksLikeName(name)) continue;
    const s = squash(name);
    if (!s || known.includes(s) || known.includes(s.replace(/s$/, ''))) continue;
    if (spelledOut(name, both)) continue;
    if (!out.some((c) => c.claim === name)) out.push({ claim: name, sentence: sentenceAt(post, m.index!) });
  }
  return out;
}
