import { mapError } from '../../common/error-mapping.js';
import { cohereRoot } from './cohere.adapter.js';
import { DEFAULT_INPUT_TYPE, fromCohereEmbed, fromCohereRerank, toCohereEmbed, toCohereRerank } from './cohere-embed.translator.js';

function status(fn: () => unknown): number {
  try {
    fn();
  } catch (err) {
    return mapError(err).status;
  }
  return 200;
}

describe('OpenAI embeddings ↔ Cohere v2 embed', () => {
  it("sends texts with LiteLLM's default input_type and float embedding types", () => {
    expect(toCohereEmbed({ model: 'alias', input: 'hello' }, 'embed-v4.0', false)).toEqual({
      model: 'embed-v4.0',
      texts: ['hello'],
      input_type: DEFAULT_INPUT_TYPE,
      embedding_types: ['float'],
    });
    expect(DEFAULT_INPUT_TYPE).toBe('search_document');
  });

  it('maps dimensions, keeps Cohere\'s input_type and truncate, and asks for floats even for base64', () => {
    const body = { model: 'a', input: ['x', 'y'], dimensions: 256, input_type: 'search_query', truncate: 'END', encoding_format: 'base64', user: 'u' };
    expect(toCohereEmbed(body, 'embed-v4.0', false)).toEqual({
      model: 'embed-v4.0',
      texts: ['x', 'y'],
      input_type: 'search_query',
      embedding_types: ['float'],
      output_dimension: 256,
      truncate: 'END',
    });
  });

  it.each([
    [{ model: 'a', input: [1, 2, 3] }],
    [{ model: 'a', input: [] }],
    [{ model: 'a', input: 'x', encoding_format: 'int8' }],
    [{ model: 'a', input: 'x', unknown_field: 1 }],
  ])('refuses what Cohere cannot take with a 400 (%j)', (body) => {
    expect(status(() => toCohereEmbed(body, 'm', false))).toBe(400);
  });

  it('answers in OpenAI shape; base64 is float32 little-endian like OpenAI', () => {
    const res = { id: 'e', embeddings: { float: [[0.5, -1], [2, 0.25]] }, meta: { billed_units: { input_tokens: 6 } } };
    expect(fromCohereEmbed(res, 'embed-v4.0', 'float')).toEqual({
      object: 'list',
      data: [
        { object: 'embedding', index: 0, embedding: [0.5, -1] },
        { object: 'embedding', index: 1, embedding: [2, 0.25] },
      ],
      model: 'embed-v4.0',
      usage: { prompt_tokens: 6, total_tokens: 6 },
    });
    const b64 = fromCohereEmbed(res, 'embed-v4.0', 'base64') as { data: { embedding: string }[] };
    const bytes = Buffer.from(b64.data[0].embedding, 'base64');
    expect(Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, 2))).toEqual([0.5, -1]);
  });

  it('an answer without float embeddings is a 502', () => {
    expect(status(() => fromCohereEmbed({ embeddings: {} }, 'm', 'float'))).toBe(502);
  });
});

describe('Cohere v2 rerank', () => {
  it('sends the body as Cohere takes it, model replaced', () => {
    expect(toCohereRerank({ model: 'alias', query: 'q', documents: ['a'], top_n: 1, max_tokens_per_doc: 512 }, 'rerank-v3.5')).toEqual({
      model: 'rerank-v3.5',
      query: 'q',
      documents: ['a'],
      top_n: 1,
      max_tokens_per_doc: 512,
    });
  });

  it('keeps id, index, relevance_score and meta of the answer', () => {
    const res = { id: 'r', results: [{ index: 1, relevance_score: 0.9, extra: true }], meta: { billed_units: { search_units: 1 } } };
    expect(fromCohereRerank(res)).toEqual({ id: 'r', results: [{ index: 1, relevance_score: 0.9 }], meta: { billed_units: { search_units: 1 } } });
    expect(status(() => fromCohereRerank({ id: 'r' }))).toBe(502);
  });
});

describe('Cohere api_base forms', () => {
  it.each([
    ['https://api.cohere.com', 'https://api.cohere.com'],
    ['https://api.cohere.ai/', 'https://api.cohere.ai'],
    ['https://api.cohere.ai/v1', 'https://api.cohere.ai'],
    ['https://api.cohere.com/v2', 'https://api.cohere.com'],
    ['https://api.cohere.com/v2/chat', 'https://api.cohere.com'],
    ['https://proxy.example.com/cohere/v1/embed', 'https://proxy.example.com/cohere'],
  ])('%s → %s', (base, root) => {
    expect(cohereRoot(base)).toBe(root);
  });
});
