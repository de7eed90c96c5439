import { isSecretParam, mergeSealedParams, sealedPaths, splitSecretParams } from './model-secrets.js';

describe('splitSecretParams', () => {
  it('seals an api_base password and credential-like headers, keeping the rest in clear', () => {
    const params = {
      model: 'openai/x',
      api_base: 'http://proxyuser:hunter2@host:8080/v1',
      extra_headers: { Authorization: 'Bearer abc-123', 'x-api-token': 'tok-456', 'x-team': 'blue', 'X-Session-Cookie': 'c=1' },
      timeout: 30,
    };
    const { clear, sealed } = splitSecretParams(params);
    expect(clear).toEqual({ model: 'openai/x', api_base: 'http://proxyuser:***@host:8080/v1', extra_headers: { 'x-team': 'blue' }, timeout: 30 });
    expect(JSON.stringify(clear)).not.toMatch(/hunter2|abc-123|tok-456|c=1/);
    expect(sealed).toEqual({
      api_base: 'http://proxyuser:hunter2@host:8080/v1',
      extra_headers: { Authorization: 'Bearer abc-123', 'x-api-token': 'tok-456', 'X-Session-Cookie': 'c=1' },
    });
    expect(sealedPaths(sealed)).toEqual([
      'litellm_params.api_base',
      'litellm_params.extra_headers.Authorization',
      'litellm_params.extra_headers.x-api-token',
      'litellm_params.extra_headers.X-Session-Cookie',
    ]);
    expect(mergeSealedParams(clear, sealed!)).toEqual(params);
  });

  it('drops extra_headers from the clear part when every header is sealed', () => {
    const { clear, sealed } = splitSecretParams({ model: 'm', extra_headers: { authorization: 'Basic eDp5' } });
    expect(clear).toEqual({ model: 'm' });
    expect(mergeSealedParams(clear, sealed!)).toEqual({ model: 'm', extra_headers: { authorization: 'Basic eDp5' } });
  });

  it.each([
    ['no credentials at all', { model: 'm', api_base: 'https://api.example.com/v1', extra_headers: { 'x-team': 'blue' } }],
    ['a user name without a password', { model: 'm', api_base: 'http://user@host/v1' }],
    ['os.environ/ references, which are not secrets', { model: 'm', api_base: 'os.environ/AZURE_BASE', extra_headers: { authorization: 'os.environ/PROXY_API_KEY' } }],
  ])('leaves %s in clear', (_what, params) => {
    expect(splitSecretParams(params)).toEqual({ clear: params });
    expect(sealedPaths(undefined)).toEqual([]);
  });
});

describe('provider credentials in litellm_params', () => {
  it('seals an AWS secret, a session token and inline service-account JSON, keeping masked forms in clear', () => {
    const sa = { type: 'service_account', client_email: 'x@p.iam.gserviceaccount.com', private_key: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' };
    const params = {
      model: 'bedrock/anthropic.claude-3-haiku',
      aws_access_key_id: 'AKIDEXAMPLE',
      aws_secret_access_key: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
      aws_session_token: 'FwoGZXIvYXdzEXAMPLETOKEN',
      vertex_credentials: JSON.stringify(sa),
    };
    const { clear, sealed } = splitSecretParams(params);
    expect(JSON.stringify(clear)).not.toMatch(/wJalrXUtnFEMI|FwoGZXIvYXdz|PRIVATE KEY/);
    expect(clear.aws_access_key_id).toBe('AKIDEXAMPLE');
    expect(typeof clear.aws_secret_access_key).toBe('string');
    expect(sealedPaths(sealed)).toEqual([
      'litellm_params.aws_secret_access_key',
      'litellm_params.aws_session_token',
      'litellm_params.vertex_credentials',
    ]);
    expect(mergeSealedParams(clear, sealed!)).toEqual(params);
  });

  it('seals vertex_credentials given as an object', () => {
    const params = { model: 'vertex_ai/gemini-2.0-flash', vertex_credentials: { private_key: 'k', client_email: 'e' } };
    const { clear, sealed } = splitSecretParams(params);
    expect(JSON.stringify(clear)).not.toContain('"private_key"');
    expect(mergeSealedParams(clear, sealed!)).toEqual(params);
  });

  it.each([
    ['a credentials file path', { model: 'vertex_ai/gemini', vertex_credentials: '/etc/gcp/sa.json' }],
    ['os.environ/ references', { model: 'bedrock/x', aws_secret_access_key: 'os.environ/AWS_SECRET_ACCESS_KEY', vertex_credentials: 'os.environ/GOOGLE_SA' }],
  ])('leaves %s in clear', (_what, params) => {
    expect(splitSecretParams(params)).toEqual({ clear: params });
    expect(isSecretParam('aws_access_key_id', 'AKIDEXAMPLE')).toBe(false);
  });
});
