import { REDACTED, redactSecrets } from './secret-redaction.js';

const KEY = 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789';

describe('redactSecrets', () => {
  it.each([
    ['the whole key', `Incorrect API key provided: ${KEY}.`],
    ['a Bearer header echo', `invalid header Authorization: Bearer ${KEY}`],
    ['OpenAI-style masking, head and tail', 'Incorrect API key provided: sk-proj-********************************6789. You can find your API key at https://platform.openai.com/account/api-keys.'],
    ['older OpenAI masking', 'Incorrect API key provided: sk-proj-Ab***************************789.'],
    ['an ellipsis mask', 'key sk-proj-AbCd…6789 is revoked'],
    ['a long unmasked prefix', 'key sk-proj-AbCdEfGh is revoked'],
    ['a long unmasked suffix', 'key ending in OpQrStUvWxYz0123456789 is revoked'],
    ['the key inside JSON', `{"error":"bad key \\"${KEY}\\""}`],
  ])('removes %s', (_what, text) => {
    const out = redactSecrets(text, [KEY]);
    expect(out).toContain(REDACTED);
    expect(out).not.toContain(KEY);
    expect(out).not.toMatch(/sk-proj-\S/);
    expect(out).not.toContain('6789');
  });

  it('keeps the rest of the message readable', () => {
    expect(redactSecrets('Incorrect API key provided: sk-proj-****6789. You can find your API key at https://platform.openai.com/account/api-keys.', [KEY])).toBe(
      `Incorrect API key provided: ${REDACTED}. You can find your API key at https://platform.openai.com/account/api-keys.`,
    );
  });

  it.each([
    'The model `gpt-4o` does not exist or you do not have access to it.',
    'Rate limit reached for requests. Please try again in 20s.',
    'skip this: sk- is a common prefix, sk-other-key-entirely is not ours',
  ])('leaves messages without the secret alone: %s', (text) => {
    expect(redactSecrets(text, [KEY])).toBe(text);
  });

  it('ignores empty, missing and too-short secrets', () => {
    expect(redactSecrets('a short key abc appears', ['abc', '', undefined])).toBe('a short key abc appears');
  });

  it('handles several secrets, including one contained in another', () => {
    const out = redactSecrets(`a ${KEY} b az-0123456789abcdef c`, [KEY, 'az-0123456789abcdef', KEY.slice(0, 20)]);
    expect(out).toBe(`a ${REDACTED} b ${REDACTED} c`);
  });
});
