import { mapError } from '../../common/error-mapping.js';
import { goldenCases } from '../../../test/helpers/golden-files.js';
import { toChatCompletion } from './anthropic-response.translator.js';

interface ResponseGolden {
  description: string;
  anthropic: Record<string, unknown>;
  chat: Record<string, unknown>;
}

const NOW = () => 1_700_000_000_000;

describe('Anthropic Message → Chat Completion (golden files)', () => {
  it.each(goldenCases<ResponseGolden>(new URL('./golden/response/', import.meta.url)))('%s', (_file, golden) => {
    expect(toChatCompletion(golden.anthropic, NOW)).toEqual(golden.chat);
  });

  it('treats a body that is not a Message as an upstream failure', () => {
    let caught: unknown;
    try {
      toChatCompletion({ hello: 'world' }, NOW);
    } catch (err) {
      caught = err;
    }
    expect(mapError(caught).status).toBe(502);
  });
});
