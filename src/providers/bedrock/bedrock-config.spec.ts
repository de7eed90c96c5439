import { parseConfigText } from '../../config/config-loader.js';
import type { DeploymentConfig } from '../../config/config.types.js';
import { bedrockModelId } from './bedrock.adapter.js';
import { bedrockConfigIssues, bedrockSettings } from './bedrock-config.js';
import { bedrockEmbedBodies, embedFamily, fromBedrockEmbeddings, readBedrockEmbeddings } from './bedrock-embeddings.translator.js';

/** One bedrock deployment as the loader normalises it, from its litellm_params. */
function deployment(params: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): DeploymentConfig {
  const yaml = `model_list:\n  - model_name: b\n    litellm_params: ${JSON.stringify({ model: 'bedrock/amazon.nova-pro-v1:0', ...params })}\n`;
  return parseConfigText(yaml, env).config.models[0];
}

describe('bedrock settings: litellm_params first, then the AWS environment', () => {
  const env = { AWS_ACCESS_KEY_ID: 'AKIDENV', AWS_SECRET_ACCESS_KEY: 'env-secret', AWS_SESSION_TOKEN: 'env-token', AWS_REGION: 'eu-central-1' };

  it('params win over the environment; the runtime and STS hosts follow the region', () => {
    const s = bedrockSettings(deployment({ aws_access_key_id: 'AKIDP', aws_secret_access_key: 'p-secret', aws_region_name: 'ap-south-1' }), env);
    expect(s.region).toBe('ap-south-1');
    expect(s.credentials).toMatchObject({ kind: 'static', accessKeyId: 'AKIDP', secretAccessKey: 'p-secret', from: 'litellm_params' });
    expect((s.credentials as { sessionToken?: string }).sessionToken).toBeUndefined();
    expect(s.runtimeEndpoint).toBe('https://bedrock-runtime.ap-south-1.amazonaws.com');
    expect(s.stsEndpoint).toBe('https://sts.ap-south-1.amazonaws.com');
  });

  it('without params: the environment keys with their session token, AWS_REGION_NAME before AWS_REGION', () => {
    const s = bedrockSettings(deployment({}), { ...env, AWS_REGION_NAME: 'us-west-2' });
    expect(s.credentials).toMatchObject({ kind: 'static', accessKeyId: 'AKIDENV', sessionToken: 'env-token', from: 'environment' });
    expect(s.region).toBe('us-west-2');
  });

  it('a VPC endpoint carries its region; api_base and aws_bedrock_runtime_endpoint replace the host', () => {
    const vpce = 'https://vpce-0abc-xyz.bedrock-runtime.eu-west-3.vpce.amazonaws.com/';
    const s = bedrockSettings(deployment({ aws_bedrock_runtime_endpoint: vpce, aws_access_key_id: 'A', aws_secret_access_key: 'S' }), {});
    expect(s.region).toBe('eu-west-3');
    expect(s.runtimeEndpoint).toBe(vpce.replace(/\/$/, ''));
    expect(bedrockSettings(deployment({ api_base: 'http://127.0.0.1:9/', aws_region_name: 'us-east-1' }), env).runtimeEndpoint).toBe('http://127.0.0.1:9');
  });

  it('an EKS web identity from the environment; aws_role_name with keys is an AssumeRole', () => {
    const web = bedrockSettings(deployment({ aws_region_name: 'us-east-1' }), { AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/token', AWS_ROLE_ARN: 'arn:aws:iam::1:role/r' });
    expect(web.credentials).toEqual({ kind: 'web-identity', roleArn: 'arn:aws:iam::1:role/r', sessionName: 'switchboard', token: { file: '/var/run/token' } });
    expect(web.assumeRole).toBeUndefined();
    const role = bedrockSettings(deployment({ aws_region_name: 'us-east-1', aws_role_name: 'arn:aws:iam::1:role/x', aws_session_name: 's1' }), env);
    expect(role.assumeRole).toEqual({ roleArn: 'arn:aws:iam::1:role/x', sessionName: 's1' });
    expect(role.credentials).toMatchObject({ kind: 'static', accessKeyId: 'AKIDENV' });
  });

  it('check: no region, half a key, a web identity token without a role, no credentials — each at its path', () => {
    expect(bedrockConfigIssues(deployment({ aws_access_key_id: 'A', aws_secret_access_key: 'S' }), 'model_list[0]', {})).toEqual([
      { path: 'model_list[0].litellm_params.aws_region_name', message: expect.stringMatching(/is required for provider 'bedrock'.*AWS_REGION/) },
    ]);
    expect(bedrockConfigIssues(deployment({ aws_secret_access_key: 'S', aws_region_name: 'us-east-1' }), 'p', {})).toEqual([
      { path: 'p.litellm_params.aws_access_key_id', message: expect.stringMatching(/other half/) },
    ]);
    expect(bedrockConfigIssues(deployment({ aws_web_identity_token: 'jwt', aws_region_name: 'us-east-1' }), 'p', {})).toEqual([
      { path: 'p.litellm_params.aws_role_name', message: expect.stringMatching(/aws_web_identity_token/) },
    ]);
    expect(bedrockConfigIssues(deployment({ aws_region_name: 'us-east-1' }), 'p', {})[0].message).toMatch(/no AWS credentials/);
    expect(bedrockConfigIssues(deployment({}), 'p', env)).toEqual([]);
  });
});

describe('bedrock model ids and embeddings bodies', () => {
  it("LiteLLM's converse/ and invoke/ route prefixes are not part of the id", () => {
    expect(bedrockModelId('converse/meta.llama3-70b-instruct-v1:0')).toBe('meta.llama3-70b-instruct-v1:0');
    expect(bedrockModelId('invoke/anthropic.claude-3-haiku-20240307-v1:0')).toBe('anthropic.claude-3-haiku-20240307-v1:0');
    expect(bedrockModelId('us.anthropic.claude-sonnet-4-20250514-v1:0')).toBe('us.anthropic.claude-sonnet-4-20250514-v1:0');
  });

  it('Titan: one body per text, dimensions passed on; Cohere: batches of 96 with input_type', () => {
    const titan = readBedrockEmbeddings({ input: ['a', 'b'], dimensions: 256 });
    expect(bedrockEmbedBodies('titan', titan)).toEqual([{ inputText: 'a', dimensions: 256 }, { inputText: 'b', dimensions: 256 }]);
    const texts = Array.from({ length: 100 }, (_, i) => `t${i}`);
    const bodies = bedrockEmbedBodies('cohere', readBedrockEmbeddings({ input: texts, input_type: 'search_query' }));
    expect(bodies.map((b) => (b.texts as string[]).length)).toEqual([96, 4]);
    expect(bodies[0].input_type).toBe('search_query');
  });

  it('answers in order as one OpenAI list; a short answer is a 502, not a misaligned list', () => {
    const ask = readBedrockEmbeddings({ input: ['a', 'b'] });
    const list = fromBedrockEmbeddings('titan', [{ embedding: [1, 2], inputTextTokenCount: 1 }, { embedding: [3, 4], inputTextTokenCount: 2 }], ask, 'm') as any;
    expect(list.data.map((d: any) => d.embedding)).toEqual([[1, 2], [3, 4]]);
    expect(list.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
    expect(() => fromBedrockEmbeddings('cohere', [{ embeddings: [[1]] }], ask, 'm')).toThrow(/cannot read/);
  });

  it('only Titan text and Cohere embed models are embedding models here', () => {
    expect(embedFamily('amazon.titan-embed-text-v2:0', 'g')).toBe('titan');
    expect(embedFamily('cohere.embed-multilingual-v3', 'g')).toBe('cohere');
    expect(() => embedFamily('anthropic.claude-3-haiku-20240307-v1:0', 'g')).toThrow(/not an embedding model/);
  });
});
