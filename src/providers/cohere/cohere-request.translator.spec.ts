import { mapError } from '../../common/error-mapping.js';
import { GatewayError } from '../../common/gateway-error.js';
import { goldenCases } from '../../../test/helpers/golden-files.js';
import { CohereRequestOptions, toCohereChat } from './cohere-request.translator.js';

interface RequestGolden {
  description: string;
  options: CohereRequestOptions;
  chat: Record<string, unknown>;
  cohere: Record<string, unknown>;
}

const OPTIONS: CohereRequestOptions = { upstreamModel: 'command-x', dropParams: false, stream: false };
const user = [{ role: 'user', content: 'hi' }];

function rejection(body: Record<string, unknown>, options: Partial<CohereRequestOptions> = {}): { status: number; message: string; param: string | null } {
  try {
    toCohereChat({ model: 'm', ...body }, { ...OPTIONS, ...options });
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    const mapped = mapError(err);
    return { status: mapped.status, message: mapped.body.error.message, param: mapped.body.error.param };
  }
  throw new Error('expected the translation to be rejected');
}

describe('Chat Completions → Cohere v2 chat (golden files)', () => {
  it.each(goldenCases<RequestGolden>(new URL('./golden/request/', import.meta.url)))('%s', (_file, golden) => {
    expect(toCohereChat(golden.chat, golden.options)).toEqual(golden.cohere);
  });
});

describe('Chat Completions → Cohere v2 chat: what cannot be translated', () => {
  it.each([
    ['n', 2],
    ['logprobs', true],
    ['parallel_tool_calls', false],
    ['audio', { voice: 'alloy', format: 'mp3' }],
    ['reasoning_effort', 'high'],
    ['a_param_nobody_knows', 1],
  ])('rejects %s with a 400 naming the parameter and the way out', (name, value) => {
    const r = rejection({ messages: user, [name]: value });
    expect(r.status).toBe(400);
    expect(r.param).toBe(name);
    expect(r.message).toContain(`'${name}'`);
    expect(r.message).toContain('drop_params');
  });

  it('drops the same parameters silently when drop_params is in effect', () => {
    const out = toCohereChat({ model: 'm', messages: user, n: 3, a_param_nobody_knows: 1, temperature: 0 }, { ...OPTIONS, dropParams: true });
    expect(out).toEqual({ model: 'command-x', messages: [{ role: 'user', content: 'hi' }], temperature: 0 });
  });

  it.each([
    [{ messages: [] }, 'messages'],
    [{ messages: [{ role: 'function', name: 'f', content: 'x' }] }, 'messages[0].role'],
    [{ messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].tool_call_id'],
    [{ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] }, 'messages[0].content[0].type'],
    [{ messages: user, tools: [{ type: 'web_search' }] }, 'tools[0].type'],
    [{ messages: user, tool_choice: 'required' }, 'tool_choice'],
    [{ messages: user, tools: [{ type: 'function', function: { name: 'a' } }], tool_choice: { type: 'function', function: { name: 'b' } } }, 'tool_choice'],
    [{ messages: user, response_format: { type: 'xml' } }, 'response_format'],
    [{ messages: user, max_tokens: 0 }, 'max_tokens'],
    [{ messages: user, stop: [1] }, 'stop'],
  ])('a malformed or untranslatable request is a 400 naming where (%j)', (body, param) => {
    const r = rejection(body);
    expect(r.status).toBe(400);
    expect(r.param).toBe(param);
  });

  it('an assistant turn with neither text nor tool calls is still sent, as empty content', () => {
    const out = toCohereChat({ model: 'm', messages: [...user, { role: 'assistant', content: null }, ...user] }, OPTIONS);
    expect(out.messages[1]).toEqual({ role: 'assistant', content: '' });
  });
});
