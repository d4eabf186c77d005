/** Model, dataset and benchmark names in a Chinese post against the English text the model was given. */
import { describe, expect, it } from 'vitest';
import { unsupportedNames } from '../../src/check/names.js';

const SOURCE =
  'We fine-tune Llama-3-8B and Qwen2.5 with LoRA and evaluate on MMLU, GSM8K and ImageNet-1k. ' +
  'Compared with GPT-4o, our reinforcement learning from human feedback pipeline is cheaper.';

describe('unsupportedNames', () => {
  it('names the source gives pass, written as models write them', () => {
    const post =
      '作者微调了 Llama 3 8B 和 Qwen2.5（使用 LoRA），在 MMLU、GSM8K 与 ImageNet-1K 上评测，并与 GPT-4o 对比。' +
      '基于人类反馈的强化学习（RLHF）更便宜，论文用 GPU 训练大语言模型（LLM），结果达到 SOTA，可用于 3D 场景。';
    expect(unsupportedNames(post, SOURCE)).toEqual([]);
  });

  it('names the source never mentions are reported with their sentence', () => {
    const post =
      '方法在 HumanEval 上超过了 Claude-3.5。它还优于 BERT 与 T5！指令微调（Instruction Tuning，IT）也被使用。';
    expect(unsupportedNames(post, SOURCE)).toEqual([
      { claim: 'HumanEval', sentence: '方法在 HumanEval 上超过了 Claude-3.5。' },
      { claim: 'Claude-3.5', sentence: '方法在 HumanEval 上超过了 Claude-3.5。' },
      { claim: 'BERT', sentence: '它还优于 BERT 与 T5！' },
      { claim: 'T5', sentence: '它还优于 BERT 与 T5！' },
    ]);
  });

  it('math, code and links are not prose', () => {
    expect(
      unsupportedNames('公式 $W_{QK}$ 与 `torch.nn.MSELoss` 以及 [代码](https://github.com/XYZ/ABC-2)。', SOURCE),
    ).toEqual([]);
  });
});
