import { keptOutput } from './conversation-store.js';

describe('keptOutput', () => {
  it('keeps reasoning items findable by id but without their text', () => {
    const message = { id: 'msg_3', type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Yes.' }] };
    const output = [{ id: 'rs_2', type: 'reasoning', summary: [{ type: 'summary_text', text: 'a long chain of thought' }] }, message];
    expect(keptOutput(output)).toEqual([{ id: 'rs_2', type: 'reasoning', summary: [] }, message]);
  });

  it('returns the output itself when it has no reasoning', () => {
    const output = [{ id: 'msg_1', type: 'message' }];
    expect(keptOutput(output)).toBe(output);
  });
});
