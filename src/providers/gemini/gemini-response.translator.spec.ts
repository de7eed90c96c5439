import { goldenCases } from '../../../test/helpers/golden-files.js';
import { toChatCompletion } from './gemini-response.translator.js';

interface ResponseGolden {
  description: string;
  model: string;
  gemini: Record<string, unknown>;
  chat: Record<string, unknown>;
}

/** Deterministic ids and clock, so golden files can spell them out. */
export function fixedIds(): () => string {
  let n = 0;
  return () => `id${++n}`;
}

describe('Gemini generateContent → Chat Completions (golden files)', () => {
  it.each(goldenCases<ResponseGolden>(new URL('./golden/response/', import.meta.url)))('%s', (_file, golden) => {
    expect(toChatCompletion(golden.gemini, golden.model, { now: () => 1_700_000_000_000, newId: fixedIds() })).toEqual(golden.chat);
  });

  it('a body with neither candidates nor a block reason is an upstream error', () => {
    expect(() => toChatCompletion({}, 'm')).toThrow(/without candidates/);
  });
});
