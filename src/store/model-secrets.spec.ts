import { mergeSealedParams, sealedPaths, splitSecretParams } from './model-secrets.js';

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
