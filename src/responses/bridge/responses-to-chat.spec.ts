import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GatewayError } from '../../common/gateway-error.js';
import type { JsonObject } from '../../providers/provider-adapter.js';
import { BridgeRequestOptions, responsesToChat } from './responses-to-chat.js';

const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), 'golden');

function goldenFiles<T>(prefix: string): [string, T][] {
  return readdirSync(GOLDEN_DIR)
    .filter((f) => f.startsWith(`${prefix}-`) && f.endsWith('.json'))
    .sort()
    .map((f) => [f, JSON.parse(readFileSync(join(GOLDEN_DIR, f), 'utf8')) as T]);
}

type GoldenOptions = Omit<BridgeRequestOptions, 'lookupItem'> & { items?: Record<string, JsonObject> };

interface TranslationGolden {
  description: string;
  options: GoldenOptions;
  request: JsonObject;
  chat: JsonObject;
  dropped?: string[];
}

interface RejectionGolden {
  description: string;
  options: GoldenOptions;
  cases: { request: JsonObject; param: string; message: string }[];
}

function options(golden: GoldenOptions): BridgeRequestOptions {
  const items = golden.items ?? {};
  return { ...golden, lookupItem: (id) => items[id] };
}

describe('Responses request → Chat request (golden files)', () => {
  const files = goldenFiles<TranslationGolden | RejectionGolden>('request');

  it('has golden files to check', () => {
    expect(files.length).toBeGreaterThanOrEqual(6);
  });

  for (const [file, golden] of files) {
    if ('cases' in golden) {
      describe(`${file}: ${golden.description}`, () => {
        it.each(golden.cases.map((c) => [c.param, c] as const))('rejects %s', (_param, c) => {
          let thrown: unknown;
          try {
            responsesToChat(c.request, options(golden.options));
          } catch (err) {
            thrown = err;
          }
          expect(thrown).toBeInstanceOf(GatewayError);
          const error = thrown as GatewayError;
          expect(error.code).toBe('invalid_request');
          expect(error.param).toBe(c.param);
          expect(error.message).toContain(c.message);
        });
      });
      continue;
    }
    it(`${file}: ${golden.description}`, () => {
      const before = JSON.stringify(golden.request);
      const { body, dropped } = responsesToChat(golden.request, options(golden.options));
      expect(body).toEqual(golden.chat);
      expect(dropped).toEqual(golden.dropped ?? []);
      // The client's body is shared with logs and retries: translation must not mutate it.
      expect(JSON.stringify(golden.request)).toBe(before);
    });
  }

  it('names the model, the provider and the way out in an unsupported-parameter error', () => {
    expect(() =>
      responsesToChat(
        { model: 'claude', input: 'hi', background: true },
        { dropParams: false, maxTokensField: 'max_tokens', modelName: 'claude', provider: 'anthropic' },
      ),
    ).toThrow(/model 'claude'.*provider anthropic.*drop_params: true/s);
  });
});
