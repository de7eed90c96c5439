import { mapError } from '../../common/error-mapping.js';
import { goldenCases } from '../../../test/helpers/golden-files.js';
import { type GeminiRequestOptions, toGenerateContentRequest } from './gemini-request.translator.js';

interface RequestGolden {
  description: string;
  options: GeminiRequestOptions;
  chat: Record<string, unknown>;
  gemini: Record<string, unknown>;
}

const user = [{ role: 'user', content: 'hi' }];

function rejection(body: Record<string, unknown>, dropParams = false): { status: number; message: string; param: string | null } {
  try {
    toGenerateContentRequest({ model: 'm', ...body }, { dropParams });
  } catch (err) {
    const mapped = mapError(err);
    return { status: mapped.status, message: mapped.body.error.message, param: mapped.body.error.param };
  }
  throw new Error('expected the translation to be rejected');
}

describe('Chat Completions → Gemini generateContent (golden files)', () => {
  it.each(goldenCases<RequestGolden>(new URL('./golden/request/', import.meta.url)))('%s', (_file, golden) => {
    expect(toGenerateContentRequest(golden.chat, golden.options)).toEqual(golden.gemini);
  });
});

describe('Chat Completions → Gemini: the rest of the mapping', () => {
  it.each([
    ['auto', { mode: 'AUTO' }],
    ['none', { mode: 'NONE' }],
    ['required', { mode: 'ANY' }],
  ])('tool_choice %s → functionCallingConfig %j', (choice, config) => {
    expect(toGenerateContentRequest({ messages: user, tool_choice: choice }, { dropParams: false }).toolConfig).toEqual({ functionCallingConfig: config });
  });

  it('json_object → responseMimeType only', () => {
    expect(toGenerateContentRequest({ messages: user, response_format: { type: 'json_object' } }, { dropParams: false }).generationConfig).toEqual({ responseMimeType: 'application/json' });
  });

  it('reasoning_effort → a thinking budget', () => {
    expect(toGenerateContentRequest({ messages: user, reasoning_effort: 'low' }, { dropParams: false }).generationConfig).toEqual({ thinkingConfig: { thinkingBudget: 1024 } });
  });

  it('an http image URL with a known extension is referenced, never downloaded', () => {
    const out = toGenerateContentRequest({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }] }, { dropParams: false });
    expect(out.contents[0].parts[0]).toEqual({ fileData: { mimeType: 'image/png', fileUri: 'https://example.com/a.png' } });
  });

  it('an http image URL whose type cannot be told is refused clearly', () => {
    const r = rejection({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/img?id=3' } }] }] });
    expect(r.status).toBe(400);
    expect(r.message).toMatch(/does not download files; send it as a data: URL/);
  });

  it('a tool result for an unknown call is refused: Gemini needs the function name', () => {
    const r = rejection({ messages: [...user, { role: 'tool', tool_call_id: 'nope', content: 'x' }] });
    expect(r.status).toBe(400);
    expect(r.message).toMatch(/tool call 'nope'/);
  });

  it('an untranslatable parameter is a 400 naming it, unless drop_params', () => {
    const r = rejection({ messages: user, logprobs: true });
    expect([r.status, r.param]).toEqual([400, 'logprobs']);
    expect(r.message).toMatch(/drop_params/);
    expect(toGenerateContentRequest({ model: 'm', messages: user, logprobs: true }, { dropParams: true })).toEqual({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });
  });

  it('OpenAI defaults and explicit nulls are accepted without being sent', () => {
    expect(toGenerateContentRequest({ messages: user, logprobs: false, store: false, temperature: null }, { dropParams: false })).toEqual({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });
  });
});
