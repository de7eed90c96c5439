import { mapError } from '../../common/error-mapping.js';
import { goldenCases } from '../../../test/helpers/golden-files.js';
import { finishReason, toChatCompletion } from './cohere-response.translator.js';

interface ResponseGolden {
  description: string;
  cohere: Record<string, unknown>;
  chat: Record<string, unknown>;
}

const NOW = () => 1_700_000_000_000;

describe('Cohere v2 chat answer → Chat Completions (golden files)', () => {
  it.each(goldenCases<ResponseGolden>(new URL('./golden/response/', import.meta.url)))('%s', (_file, golden) => {
    expect(toChatCompletion(golden.cohere, 'command-a-03-2025', NOW)).toEqual(golden.chat);
  });
});

describe('Cohere finish reasons and failures', () => {
  it.each([
    ['COMPLETE', 'stop'],
    ['STOP_SEQUENCE', 'stop'],
    ['MAX_TOKENS', 'length'],
    ['TOOL_CALL', 'tool_calls'],
    ['ERROR', 'error'],
    ['SOMETHING_NEW', 'stop'],
  ])('%s → %s', (cohere, openai) => {
    expect(finishReason(cohere)).toBe(openai);
  });

  it.each([
    ['ERROR', 502, 'api_error'],
    ['TIMEOUT', 504, 'timeout_error'],
  ])('a generation that ended with %s is a %d, never a 200', (reason, status, type) => {
    const body = { id: 'x', finish_reason: reason, message: { role: 'assistant', content: [{ type: 'text', text: 'half' }] } };
    let caught: unknown;
    try {
      toChatCompletion(body, 'm', NOW);
    } catch (err) {
      caught = err;
    }
    const mapped = mapError(caught);
    expect(mapped.status).toBe(status);
    expect(mapped.body.error.type).toBe(type);
  });

  it('a body that is not a chat answer is a 502', () => {
    expect(() => toChatCompletion({ message: 'invalid api token' } as never, 'm', NOW)).toThrow(/not a chat response/);
  });
});
