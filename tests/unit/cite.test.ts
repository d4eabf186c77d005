import { describe, expect, it } from 'vitest';
import { citeFigures } from '../../src/check/cite.js';
import type { PaperText } from '../../src/fulltext/types.js';

const paper: PaperText = {
  source: 'html',
  figures: [],
  sections: [
    { heading: 'Abstract', text: 'Our router reaches 31.4 BLEU and cuts parameters by 40%.' },
    { heading: '1 Introduction', text: 'Phones need small models.' },
    {
      heading: '4 Experiments',
      text: 'On six pairs we reach 31.4 BLEU.\n\n### 4.2 Efficiency\n\nLatency falls from 120 ms to 75 ms.\n\n[Table 3: Memory drops by 2.5x on long inputs.]',
    },
    { heading: 'Limitations', text: 'Rare pairs below 1,000 sentences stay hard.' },
  ],
};

describe('where a figure comes from', () => {
  it('the body before the abstract, the subsection, the table whose caption states it, an unnumbered section by name', () => {
    const written =
      '路由器达到 31.4 BLEU；延迟从 120 毫秒降到 75 毫秒。内存减少 2.5 倍，参数少 40%。少于 1000 句的语言对仍然难。';
    const { text, cited } = citeFigures(written, paper, true);
    expect(cited).toEqual([
      { figure: '31.4', where: '§4' },
      { figure: '120', where: '§4.2' },
      { figure: '75', where: '§4.2' },
      { figure: '2.5 倍', where: '§4.2，表3' },
      { figure: '40%', where: '摘要' },
      { figure: '1000', where: '“Limitations”' },
    ]);
    expect(text).toBe(
      '路由器达到 31.4 BLEU（§4）；延迟从 120 毫秒降到 75 毫秒（§4.2）。内存减少 2.5 倍（§4.2，表3），参数少 40%（摘要）。少于 1000 句的语言对仍然难（“Limitations”）。',
    );
  });
  it('without --cite the text is unchanged; an invented figure is never cited; the abstract alone cites nothing', () => {
    expect(citeFigures('提升了 31.4 BLEU。', paper, false)).toEqual({
      text: '提升了 31.4 BLEU。',
      cited: [{ figure: '31.4', where: '§4' }],
    });
    expect(citeFigures('提升了 55%。', paper, true)).toEqual({ text: '提升了 55%。', cited: [] });
    expect(citeFigures('提升了 31.4。', { source: 'abstract', sections: [], figures: [] }, true).cited).toEqual([]);
  });
});
