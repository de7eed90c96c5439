import { GatewayError } from '../common/gateway-error.js';
import { redactUrl } from '../common/url-redaction.js';
import type { StoredModel } from '../store/models.repository.js';
import { maskSecret } from '../store/secret-box.js';
import { restoreMaskedSecrets } from './masked-secrets.js';

const KEY = 'sk-live-4Hs8Kd2Lq9Zx';
const BASE = 'https://proxy:pw-7Hq2Lm9X@gw.example.com/v1';
const TOKEN = 'tok-5Kd8Pz1Wq6Yv3Nf7';

function storedModel(params: Record<string, unknown>, extra: Partial<StoredModel> = {}): StoredModel {
  return { id: 'm1', modelName: 'm', litellmParams: params, modelInfo: { id: 'm1' }, deleted: false, createdAt: '', updatedAt: '', ...extra };
}

const stored = storedModel({ model: 'openai/x', api_key: KEY, api_base: BASE, extra_headers: { 'X-Api-Token': TOKEN, 'x-team': 'blue' } });

function refusal(fn: () => unknown): { param: string | null; message: string } {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    return { param: (err as GatewayError).param, message: (err as GatewayError).message };
  }
  throw new Error('expected a refusal');
}

describe('restoreMaskedSecrets', () => {
  it('puts the stored credentials back where the masks the API shows for them were sent', () => {
    const sent = {
      model: 'openai/y',
      api_key: maskSecret(KEY),
      api_base: redactUrl(BASE),
      extra_headers: { 'X-Api-Token': maskSecret(TOKEN), 'x-team': 'red' },
    };
    expect(restoreMaskedSecrets(sent, stored)).toEqual({
      model: 'openai/y',
      api_key: KEY,
      api_base: BASE,
      extra_headers: { 'X-Api-Token': TOKEN, 'x-team': 'red' },
    });
  });

  it('leaves real values, nulls and os.environ references as sent', () => {
    const sent = { api_key: 'sk-new-0000111122223333', api_base: null, extra_headers: { 'X-Api-Token': 'os.environ/TEAM_API_KEY' } };
    expect(restoreMaskedSecrets(sent, stored)).toEqual(sent);
    expect(restoreMaskedSecrets({ api_key: 'os.environ/OPENAI_API_KEY' })).toEqual({ api_key: 'os.environ/OPENAI_API_KEY' });
  });

  it('keeps a masked password with a new host and path for the same user name', () => {
    expect(restoreMaskedSecrets({ api_base: 'http://proxy:***@other.example.com:8080/v2' }, stored).api_base).toBe(
      'http://proxy:pw-7Hq2Lm9X@other.example.com:8080/v2',
    );
  });

  it('refuses a masked password for another user name, or when none is stored', () => {
    const other = refusal(() => restoreMaskedSecrets({ api_base: 'https://someone:***@gw.example.com/v1' }, stored));
    expect(other.param).toBe('litellm_params.api_base');
    expect(other.message).toContain('only for the same user name');
    const none = refusal(() => restoreMaskedSecrets({ api_base: 'https://proxy:***@gw.example.com/v1' }, storedModel({ api_base: 'https://gw.example.com/v1' })));
    expect(none).toEqual({
      param: 'litellm_params.api_base',
      message: "Invalid 'litellm_params.api_base': looks like a masked value; send the real secret or omit the field.",
    });
  });

  it.each([
    ['api_key', { api_key: 'sk-...0000' }],
    ['api_key', { api_key: '****' }],
    ['extra_headers.X-Api-Token', { extra_headers: { 'X-Api-Token': '...0000' } }],
    ['extra_headers.x-other-key', { extra_headers: { 'x-other-key': maskSecret(TOKEN) } }],
  ])('refuses a masked-looking %s that is not the mask of the stored value', (field, sent) => {
    expect(refusal(() => restoreMaskedSecrets(sent, stored)).param).toBe(`litellm_params.${field}`);
  });

  it('refuses every masked-looking credential on a new model', () => {
    for (const sent of [{ api_key: maskSecret(KEY) }, { api_base: redactUrl(BASE) }, { extra_headers: { Authorization: '****' } }]) {
      expect(refusal(() => restoreMaskedSecrets(sent)).message).toContain('looks like a masked value');
    }
  });

  it('matches a header name sent back in another case', () => {
    expect(restoreMaskedSecrets({ extra_headers: { 'x-api-token': maskSecret(TOKEN) } }, stored).extra_headers).toEqual({ 'x-api-token': TOKEN });
  });

  it('does not touch mask-like values of headers that are not credentials (they are shown as stored)', () => {
    expect(restoreMaskedSecrets({ extra_headers: { 'x-team': '****' } }, stored).extra_headers).toEqual({ 'x-team': '****' });
  });

  it('refuses masks of credentials that cannot be decrypted: there is nothing to keep', () => {
    const broken = storedModel({ api_base: redactUrl(BASE) }, { apiKeyError: 'x', secretsError: 'y' });
    for (const [field, sent] of [
      ['api_key', { api_key: '<undecryptable>' }],
      ['api_base', { api_base: redactUrl(BASE) }],
      ['extra_headers.X-Api-Token', { extra_headers: { 'X-Api-Token': maskSecret(TOKEN) } }],
    ] as const) {
      const r = refusal(() => restoreMaskedSecrets(sent, broken));
      expect(r.param).toBe(`litellm_params.${field}`);
      expect(r.message).toContain('cannot be decrypted');
    }
  });

  it('never puts a secret into its error messages', () => {
    const r = refusal(() => restoreMaskedSecrets({ api_base: 'https://other:***@gw.example.com/v1', api_key: maskSecret(KEY) }, storedModel({ api_base: BASE })));
    expect(r.message).not.toContain('pw-7Hq2Lm9X');
    expect(r.message).not.toContain(KEY);
  });
});
