import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GatewayError } from '../../common/gateway-error.js';
import type { JsonObject } from '../../providers/provider-adapter.js';
import { sequentialIds } from './bridge-ids.js';
import { BridgeResponseContext, chatToResponse } from './chat-to-response.js';

const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), 'golden');

function goldenFiles<T>(prefix: string): [string, T][] {
  return readdirSync(GOLDEN_DIR)
    .filter((f) => f.startsWith(`${prefix}-`) && f.endsWith('.json'))
    .sort()
    .map((f) => [f, JSON.parse(readFileSync(join(GOLDEN_DIR, f), 'utf8')) as T]);
}

interface ResponseGolden {
  description: string;
  request: JsonObject;
  chat: JsonObject;
  response: JsonObject;
}

const context = (requestedName: string): BridgeResponseContext => ({ requestedName, ids: sequentialIds(), now: () => 1700000100 });

describe('Chat completion → Response object (golden files)', () => {
  const files = goldenFiles<ResponseGolden>('response');

  it('has golden files to check', () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
  });

  it.each(files)('%s', (_file, golden) => {
    const response = chatToResponse(golden.chat, golden.request, context(golden.request.model as string));
    expect(response).toEqual(golden.response);
  });

  it('adds no reasoning item for an empty or non-string reasoning_content', () => {
    for (const reasoning_content of ['', null, 42]) {
      const chat = { choices: [{ index: 0, message: { role: 'assistant', content: 'hi', reasoning_content }, finish_reason: 'stop' }] };
      const output = chatToResponse(chat, { model: 'm' }, context('m')).output as JsonObject[];
      expect(output.map((item) => item.type)).toEqual(['message']);
    }
  });

  it('reads the reasoning from `reasoning` too (Groq, OpenRouter, newer vLLM)', () => {
    const chat = { choices: [{ index: 0, message: { role: 'assistant', content: 'hi', reasoning: 'Think first.' }, finish_reason: 'stop' }] };
    const output = chatToResponse(chat, { model: 'm' }, context('m')).output as JsonObject[];
    expect(output.map((item) => item.type)).toEqual(['reasoning', 'message']);
    expect(output[0].summary).toEqual([{ type: 'summary_text', text: 'Think first.' }]);
  });

  it('fails as an upstream error when the completion has no choices', () => {
    expect(() => chatToResponse({ choices: [] }, { model: 'm' }, context('m'))).toThrow(GatewayError);
    expect(() => chatToResponse({ choices: [] }, { model: 'm' }, context('m'))).toThrow(/no choices/);
  });
});
