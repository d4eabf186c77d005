/**
 * An in-process model for pipeline tests: records every request and answers with what the test's
 * `answer` function returns (a string, or an Error to throw). No server, no SDK, no process.
 */
import type { ChatMessage, Llm, LlmFacts, LlmRequest, LlmResult } from '../../src/llm/llm-client.js';

export interface Recorded {
  messages: ChatMessage[];
  followUp: boolean;
  temperature: number | undefined;
}

export type Answer = (req: Recorded, n: number) => string | Error | Promise<string | Error>;

export class RecordingLlm implements Llm {
  readonly facts: LlmFacts = {
    model: 'recording-model',
    endpoint: 'http://in-process.test/v1',
    provider: 'openai',
    extraBody: {},
  };
  readonly calls: Recorded[] = [];
  usage = { promptTokens: 0, completionTokens: 0, cachedTokens: 0 };
  followUps = { requests: 0, promptTokens: 0, completionTokens: 0 };

  constructor(public answer: Answer) {}

  /** Llm's tally: requests sent this run. */
  get requests(): number {
    return this.calls.length;
  }

  async complete(req: LlmRequest): Promise<LlmResult> {
    const rec: Recorded = {
      messages: req.messages.map((m) => ({ ...m })),
      followUp: req.followUp === true,
      temperature: req.temperature,
    };
    this.calls.push(rec);
    const out = await this.answer(rec, this.calls.length - 1);
    if (out instanceof Error) throw out;
    const usage = { promptTokens: JSON.stringify(req.messages).length, completionTokens: out.length, cachedTokens: 0 };
    this.usage.promptTokens += usage.promptTokens;
    this.usage.completionTokens += usage.completionTokens;
    if (rec.followUp) {
      this.followUps.requests++;
      this.followUps.promptTokens += usage.promptTokens;
      this.followUps.completionTokens += usage.completionTokens;
    }
    req.onDelta?.(out);
    return { text: out, usage, finishReason: 'stop', model: this.facts.model, attempts: 1, cached: false };
  }
}

/** The last user message of a request: what was asked this time. */
export const lastAsk = (r: Recorded): string => [...r.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
