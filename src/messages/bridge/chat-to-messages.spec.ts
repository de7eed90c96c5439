import type { JsonObject } from '../../providers/provider-adapter.js';
import { goldenCases } from '../../../test/helpers/golden-files.js';
import { chatToMessagesResponse } from './chat-to-messages.js';

interface ResponseGolden {
  description: string;
  requestedModel: string;
  chat: JsonObject;
  message: JsonObject;
}

describe('chat.completion → Anthropic Message (golden files)', () => {
  const files = goldenCases<ResponseGolden>(new URL('./golden/response/', import.meta.url));

  it('has golden files to check', () => expect(files.length).toBeGreaterThanOrEqual(4));

  it.each(files)('%s', (_file, golden) => {
    expect(chatToMessagesResponse(golden.chat, golden.requestedModel)).toEqual(golden.message);
  });
});

describe('chatToMessagesResponse', () => {
  it('fails as an upstream error on a completion without choices', () => {
    expect(() => chatToMessagesResponse({ id: 'x', choices: [] }, 'm')).toThrow(expect.objectContaining({ code: 'upstream_error' }));
  });

  it('fails on tool arguments that are not JSON when the answer was not cut off', () => {
    const chat = { choices: [{ index: 0, message: { tool_calls: [{ id: 'c', function: { name: 'f', arguments: 'not json' } }] }, finish_reason: 'tool_calls' }] };
    expect(() => chatToMessagesResponse(chat, 'm')).toThrow(expect.objectContaining({ code: 'upstream_error' }));
  });

  it('gives a random msg_ id when the upstream sent none', () => {
    const out = chatToMessagesResponse({ choices: [{ index: 0, message: { content: 'x' }, finish_reason: 'stop' }] }, 'm');
    expect(out.id).toMatch(/^msg_[0-9a-f]{24}$/);
  });
});
