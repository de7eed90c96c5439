import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkConfigText } from '../../cli/check-command.js';
import type { DeploymentConfig } from '../../config/config.types.js';
import { goldenCases } from '../../../test/helpers/golden-files.js';
import { fromVertexEmbeddings, readEmbeddingsBody, vertexEmbedRequest } from '../gemini/gemini-embeddings.translator.js';
import { toVertexClaudeBody, vertexHost } from './vertex-ai.adapter.js';
import { readVertexCredentials, vertexConfigIssues } from './vertex-config.js';

interface ClaudeGolden {
  description: string;
  stream: boolean;
  chat: Record<string, unknown>;
  vertex: Record<string, unknown>;
}

const settings = { extraHeaders: {}, useChatForResponses: false, dropParams: false, modelInfo: {} };

describe('Chat Completions → Claude on Vertex rawPredict (golden files)', () => {
  it.each(goldenCases<ClaudeGolden>(new URL('./golden/request/', import.meta.url)))('%s', (_file, golden) => {
    expect(toVertexClaudeBody({ upstreamModel: 'claude-sonnet-4-5@20250929', settings }, golden.chat, golden.stream).payload).toEqual(golden.vertex);
  });
});

describe('Vertex endpoints', () => {
  it.each([
    [undefined, 'us-central1', 'https://us-central1-aiplatform.googleapis.com'],
    [undefined, 'global', 'https://aiplatform.googleapis.com'],
    ['http://127.0.0.1:9/v1/', 'europe-west4', 'http://127.0.0.1:9'],
  ])('api_base %s, location %s → %s', (base, location, host) => expect(vertexHost(base, location)).toBe(host));

  it('embeddings: predict instances and the answer as an OpenAI list with token counts', () => {
    const ask = readEmbeddingsBody({ input: ['a', 'b'], dimensions: 2 });
    expect(vertexEmbedRequest(ask)).toEqual({ instances: [{ content: 'a' }, { content: 'b' }], parameters: { outputDimensionality: 2 } });
    const res = fromVertexEmbeddings({ predictions: [{ embeddings: { values: [1, 2], statistics: { token_count: 1 } } }, { embeddings: { values: [3, 4], statistics: { token_count: 2 } } }] }, ask, 'text-embedding-005');
    expect(res).toEqual({
      object: 'list',
      data: [{ object: 'embedding', index: 0, embedding: [1, 2] }, { object: 'embedding', index: 1, embedding: [3, 4] }],
      model: 'text-embedding-005',
      usage: { prompt_tokens: 3, total_tokens: 3 },
    });
  });
});

describe('vertex_ai config checks (start-up and `check`)', () => {
  let dir: string;
  const key = { type: 'service_account', project_id: 'p-from-key', client_email: 'a@b.iam.gserviceaccount.com', private_key: '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n' };
  const deployment = (extra: Partial<DeploymentConfig>): DeploymentConfig => ({
    id: 'd', modelName: 'm', model: 'vertex_ai/gemini-2.5-pro', extraHeaders: {}, useChatForResponses: false, modelInfo: {}, source: 'file', ...extra,
  });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-vertex-check-'));
    writeFileSync(join(dir, 'good.json'), JSON.stringify(key));
    writeFileSync(join(dir, 'broken.json'), '{ not json');
    writeFileSync(join(dir, 'no-key.json'), JSON.stringify({ type: 'service_account', client_email: 'a@b' }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a path, JSON text and a mapping alike', () => {
    expect(readVertexCredentials(join(dir, 'good.json'))).toMatchObject({ kind: 'json', json: key });
    expect(readVertexCredentials(JSON.stringify(key))).toMatchObject({ kind: 'json', json: key });
    expect(readVertexCredentials(key)).toMatchObject({ kind: 'json', json: key });
    expect(readVertexCredentials(undefined)).toEqual({ kind: 'adc' });
  });

  it.each([
    ['an unreadable file', () => join(dir, 'missing.json'), /cannot read the credentials file '.*missing\.json' \(ENOENT\)/],
    ['a file that is not JSON', () => join(dir, 'broken.json'), /credentials file '.*broken\.json' is not valid JSON/],
    ['a key without private_key', () => join(dir, 'no-key.json'), /not a usable service-account key: private_key missing/],
    ['inline JSON that does not parse', () => '{"type": "service_account",', /is not valid JSON/],
  ])('%s is reported at litellm_params.vertex_credentials, without the content', (_what, value, message) => {
    const issues = vertexConfigIssues(deployment({ vertexCredentials: value(), vertexProject: 'p' }), 'model_list[0]', {});
    expect(issues).toEqual([{ path: 'model_list[0].litellm_params.vertex_credentials', message: expect.stringMatching(message) }]);
  });

  it('a project comes from vertex_project, VERTEXAI_PROJECT or the key; with none of them it is reported', () => {
    expect(vertexConfigIssues(deployment({ vertexCredentials: join(dir, 'good.json') }), 'p', {})).toEqual([]);
    expect(vertexConfigIssues(deployment({}), 'p', { VERTEXAI_PROJECT: 'x' })).toEqual([]);
    expect(vertexConfigIssues(deployment({ vertexProject: 'x' }), 'p', {})).toEqual([]);
    expect(vertexConfigIssues(deployment({}), 'model_list[3]', {})).toEqual([
      { path: 'model_list[3].litellm_params.vertex_project', message: expect.stringMatching(/is required for provider 'vertex_ai'.*VERTEXAI_PROJECT/) },
    ]);
  });

  it('`check` names the offending entry and key', () => {
    const yaml = `model_list:\n  - model_name: ok\n    litellm_params: { model: vertex_ai/gemini-2.5-pro, vertex_credentials: ${join(dir, 'good.json')} }\n  - model_name: bad\n    litellm_params: { model: vertex_ai/gemini-2.5-pro, vertex_project: p, vertex_credentials: ${join(dir, 'missing.json')} }\n`;
    const report = checkConfigText(yaml, {});
    expect(report.errors).toEqual([{ path: 'model_list[1].litellm_params.vertex_credentials', message: expect.stringMatching(/cannot read the credentials file/) }]);
  });
});
