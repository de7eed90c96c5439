import { GatewayError } from '../../common/gateway-error.js';
import type { JsonObject } from '../../providers/provider-adapter.js';
import { goldenCases } from '../../../test/helpers/golden-files.js';
import { messagesToChatRequest } from './messages-to-chat.js';

interface RequestGolden {
  description: string;
  dropParams: boolean;
  request?: JsonObject;
  chat?: JsonObject;
  cases?: { param: string; message: string; request: JsonObject }[];
}

describe('Messages request → Chat request (golden files)', () => {
  const files = goldenCases<RequestGolden>(new URL('./golden/request/', import.meta.url));

  it('has golden files to check', () => expect(files.length).toBeGreaterThanOrEqual(4));

  for (const [file, golden] of files) {
    if (golden.cases) {
      it.each(golden.cases.map((c) => [c.param, c] as const))(`${file}: rejects %s`, (_p, c) => {
        let thrown: unknown;
        try {
          messagesToChatRequest(c.request, { dropParams: golden.dropParams });
        } catch (err) {
          thrown = err;
        }
        expect(thrown).toBeInstanceOf(GatewayError);
        expect((thrown as GatewayError).code).toBe('invalid_request');
        expect((thrown as GatewayError).param).toBe(c.param);
        expect((thrown as GatewayError).message).toContain(c.message);
      });
    } else {
      it(`${file}: ${golden.description}`, () => {
        expect(messagesToChatRequest(golden.request!, { dropParams: golden.dropParams })).toEqual(golden.chat);
      });
    }
  }
});

describe('messagesToChatRequest', () => {
  const base = { model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] };

  it('maps every tool_choice type, and sends none of them without tools', () => {
    const tools = [{ name: 'f', input_schema: { type: 'object' } }];
    const choice = (tool_choice: JsonObject, withTools = true) =>
      messagesToChatRequest({ ...base, tool_choice, ...(withTools ? { tools } : {}) }, { dropParams: false }).tool_choice;
    expect(choice({ type: 'auto' })).toBe('auto');
    expect(choice({ type: 'any' })).toBe('required');
    expect(choice({ type: 'none' })).toBe('none');
    expect(choice({ type: 'tool', name: 'f' })).toEqual({ type: 'function', function: { name: 'f' } });
    expect(choice({ type: 'any' }, false)).toBeUndefined();
  });

  it('drops tool_choice when drop_params removed every tool', () => {
    const out = messagesToChatRequest({ ...base, tools: [{ type: 'bash_20250124', name: 'bash' }], tool_choice: { type: 'any' } }, { dropParams: true });
    expect(out.tools).toBeUndefined();
    expect(out.tool_choice).toBeUndefined();
  });

  it('maps thinking budgets and adaptive effort to reasoning_effort, and drops them under drop_params', () => {
    const effort = (extra: JsonObject, dropParams = false) => messagesToChatRequest({ ...base, ...extra }, { dropParams }).reasoning_effort;
    expect(effort({ thinking: { type: 'enabled', budget_tokens: 1024 } })).toBe('low');
    expect(effort({ thinking: { type: 'enabled', budget_tokens: 32000 } })).toBe('high');
    expect(effort({ thinking: { type: 'adaptive' }, output_config: { effort: 'xhigh' } })).toBe('high');
    expect(effort({ thinking: { type: 'adaptive' } })).toBe('medium');
    expect(effort({ thinking: { type: 'disabled' } })).toBeUndefined();
    expect(effort({ thinking: { type: 'enabled', budget_tokens: 2000 } }, true)).toBeUndefined();
  });

  it('maps structured output to a json_schema response_format', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    const out = messagesToChatRequest({ ...base, output_format: { type: 'json_schema', schema } }, { dropParams: false });
    expect(out.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'output', schema, strict: true } });
  });

  it('does not send Anthropic-only top-level fields upstream', () => {
    const out = messagesToChatRequest({ ...base, service_tier: 'auto', context_management: { edits: [] }, top_k: 5 }, { dropParams: false });
    expect(Object.keys(out).sort()).toEqual(['max_tokens', 'messages', 'model']);
  });
});
