import { mapError } from '../../common/error-mapping.js';
import { goldenCases } from '../../../test/helpers/golden-files.js';
import { toChatCompletion } from './anthropic-response.translator.js';

interface ResponseGolden {
  description: string;
  anthropic: Record<string, unknown>;
  chat: Record<string, unknown>;
  /** The response_format tool the request carried, if any. */
  jsonTool?: { name: string; wrapped: boolean };
}

const NOW = () => 1_700_000_000_000;

describe('Anthropic Message → Chat Completion (golden files)', () => {
  it.each(goldenCases<ResponseGolden>(new URL('./golden/response/', import.meta.url)))('%s', (_file, golden) => {
    expect(toChatCompletion(golden.anthropic, NOW, golden.jsonTool)).toEqual(golden.chat);
  });

  it('without a response_format tool, a tool of the same name is an ordinary tool call', () => {
    const [, golden] = goldenCases<ResponseGolden>(new URL('./golden/response/', import.meta.url)).find(([f]) => f === 'json-tool-answer.json')!;
    const choice = (toChatCompletion(golden.anthropic, NOW) as { choices: { message: Record<string, unknown>; finish_reason: string }[] }).choices[0];
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    expect(choice.message.tool_calls).toEqual([
      { id: 'toolu_01Json', type: 'function', function: { name: 'switchboard_json_response', arguments: '{"name":"Ada Lovelace","born":1815,"tags":["math","poetry"]}' } },
    ]);
  });

  it('answers in text when the model did not call the response_format tool', () => {
    const body = { id: 'm', type: 'message', role: 'assistant', model: 'c', content: [{ type: 'text', text: '{"a":1}' }], stop_reason: 'end_turn', usage: {} };
    const out = toChatCompletion(body, NOW, { name: 'switchboard_json_response', wrapped: false }) as { choices: { message: { content: unknown } }[] };
    expect(out.choices[0].message.content).toBe('{"a":1}');
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
