/** papers.cool's six questions, verbatim: what the built-in qa template asks and every Q&A shows. */
export const QUESTIONS = [
  '这篇论文试图解决什么问题？',
  '有哪些相关研究？',
  '论文如何解决这个问题？',
  '论文做了哪些实验？',
  '有什么可以进一步探索的点？',
  '总结一下论文的主要内容',
];
