import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { IsDefined, IsString, validateSync } from 'class-validator';
import { ChatCompletionRequestDto } from '../chat/dto/chat-completion-request.dto.js';
import { EmbeddingRequestDto } from '../embeddings/dto/embedding-request.dto.js';
import { ResponseCreateRequestDto } from '../responses/dto/response-create-request.dto.js';
import { compileFastCheck, FastCheck } from './fast-validation.js';

const DTOS = { chat: ChatCompletionRequestDto, responses: ResponseCreateRequestDto, embeddings: EmbeddingRequestDto } as const;
const M = [{ role: 'user', content: 'hi' }];

function slowValid(dto: new () => object, body: object): boolean {
  return validateSync(plainToInstance(dto, body) as object, { forbidUnknownValues: false }).length === 0;
}

const valid: [keyof typeof DTOS, object][] = [
  ['chat', { model: 'm', messages: M }],
  ['chat', { model: 'm', messages: M, stream: true, stream_options: { include_usage: true }, temperature: 0.2, max_tokens: 5, n: 1, stop: ['x'] }],
  ['chat', { model: 'm', messages: M, stream: null, temperature: null, tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: 'auto' }],
  ['chat', { model: 'm', messages: [{ role: 'assistant', content: null, tool_calls: [{ id: 'a' }] }, { role: 'tool', tool_call_id: 'a', content: 'r' }] }],
  ['chat', { model: 'm', messages: Array.from({ length: 100 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `m${i}` })) }],
  ['chat', { model: 'm', messages: M, some_future_parameter: { a: [1] } }],
  ['responses', { model: 'm' }],
  ['responses', { model: 'm', input: 'x', instructions: null, text: { format: { type: 'text' } }, max_output_tokens: 10 }],
  ['responses', { model: 'm', input: [{ role: 'user', content: 'x' }], tools: [{ type: 'web_search' }], reasoning: { effort: 'low' } }],
  ['embeddings', { model: 'm', input: 'x' }],
  ['embeddings', { model: 'm', input: ['a', 'b'], encoding_format: 'float', dimensions: 8 }],
];

const invalid: [keyof typeof DTOS, object][] = [
  ['chat', { model: 'm' }],
  ['chat', { messages: M }],
  ['chat', { model: 5, messages: M }],
  ['chat', { model: null, messages: M }],
  ['chat', { model: '', messages: M }],
  ['chat', { model: 'x'.repeat(513), messages: M }],
  ['chat', { model: 'm', messages: 'hi' }],
  ['chat', { model: 'm', messages: [] }],
  ['chat', { model: 'm', messages: [null] }],
  ['chat', { model: 'm', messages: [M[0], 'hi'] }],
  ['chat', { model: 'm', messages: [{ content: 'x' }] }],
  ['chat', { model: 'm', messages: [{ role: 'robot', content: 'x' }] }],
  ['chat', { model: 'm', messages: [{ role: 'user', content: 5 }] }],
  ['chat', { model: 'm', messages: [{ role: 'user', content: 'x', name: 5 }] }],
  ['chat', { model: 'm', messages: M, stream: 'yes' }],
  ['chat', { model: 'm', messages: M, stream_options: 'x' }],
  ['chat', { model: 'm', messages: M, tools: {} }],
  ['chat', { model: 'm', messages: M, tools: [{}] }],
  ['chat', { model: 'm', messages: M, tools: [null] }],
  ['chat', { model: 'm', messages: M, tool_choice: 5 }],
  ['chat', { model: 'm', messages: M, max_tokens: '5' }],
  ['chat', { model: 'm', messages: M, max_tokens: 0 }],
  ['chat', { model: 'm', messages: M, max_tokens: 1.5 }],
  ['chat', { model: 'm', messages: M, temperature: 'hot' }],
  ['responses', { input: 'x' }],
  ['responses', { model: 'm', input: 5 }],
  ['responses', { model: 'm', input: 'x', text: 'plain' }],
  ['responses', { model: 'm', tools: [{ type: '' }] }],
  ['embeddings', { model: 'm' }],
  ['embeddings', { model: 'm', input: '' }],
  ['embeddings', { model: 'm', input: 'x', encoding_format: 'int8' }],
  ['embeddings', { model: 'm', input: 'x', dimensions: 0 }],
];

describe('compileFastCheck', () => {
  const checks = Object.fromEntries(Object.entries(DTOS).map(([k, dto]) => [k, compileFastCheck(dto)])) as Record<keyof typeof DTOS, FastCheck | undefined>;

  it('compiles every inference DTO (so the fast path is really used)', () => {
    for (const check of Object.values(checks)) expect(check).toBeDefined();
  });

  it.each(valid)('%s: accepts a valid body, as validateSync does: %j', (kind, body) => {
    expect(slowValid(DTOS[kind], body)).toBe(true);
    expect(checks[kind]!(body as Record<string, unknown>)).toBe(true);
  });

  it.each(invalid)('%s: never accepts a body validateSync rejects: %j', (kind, body) => {
    expect(slowValid(DTOS[kind], body)).toBe(false);
    expect(checks[kind]!(body as Record<string, unknown>)).toBe(false);
  });

  it('answers "ask validateSync" for shapes it does not model (an array of arrays)', () => {
    expect(checks.chat!({ model: 'm', messages: [[M[0]]] })).toBe(false);
  });

  it('declines DTOs using features it does not model, so validateSync always runs', () => {
    class WithDefined {
      @IsDefined() @IsString() name!: string;
    }
    expect(compileFastCheck(WithDefined)).toBeUndefined();
  });
});
