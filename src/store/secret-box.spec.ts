import { looksMasked, maskSecret, SecretBox, UNDECRYPTABLE_MASK } from './secret-box.js';

describe('SecretBox', () => {
  const box = new SecretBox('operator-secret');

  it('round-trips and never stores the plaintext', () => {
    const sealed = box.seal('sk-live-1234567890abcdef', 'model:a');
    expect(sealed).not.toContain('sk-live');
    expect(sealed.startsWith('v1:')).toBe(true);
    expect(box.open(sealed, 'model:a')).toBe('sk-live-1234567890abcdef');
  });

  it('uses a fresh IV each time', () => {
    expect(box.seal('x', 'c')).not.toBe(box.seal('x', 'c'));
  });

  it('refuses another context, another secret and tampering', () => {
    const sealed = box.seal('secret', 'model:a');
    expect(() => box.open(sealed, 'model:b')).toThrow();
    expect(() => new SecretBox('other').open(sealed, 'model:a')).toThrow();
    const parts = sealed.split(':');
    parts[3] = Buffer.from('xxxxxx').toString('base64');
    expect(() => box.open(parts.join(':'), 'model:a')).toThrow();
    expect(() => box.open('garbage', 'model:a')).toThrow();
  });
});

describe('maskSecret', () => {
  it('masks long keys to prefix + last four, short keys entirely', () => {
    expect(maskSecret('sk-abcdefghijklmnop1234')).toBe('sk-...1234');
    expect(maskSecret('abcdefghijklmnopqrst')).toBe('...qrst');
    expect(maskSecret('short')).toBe('****');
    expect(maskSecret(undefined)).toBeUndefined();
    expect(maskSecret('os.environ/OPENAI_API_KEY')).toBe('os.environ/OPENAI_API_KEY');
  });
});

describe('looksMasked', () => {
  it('recognises every form maskSecret gives', () => {
    for (const value of ['sk-abcdefghijklmnop1234', 'abcdefghijklmnopqrst', 'short', 'Bearer tok-5Kd8Pz1Wq6Yv', 'ab.c-1234567890abcdef']) {
      expect(looksMasked(maskSecret(value)!)).toBe(true);
    }
    expect(looksMasked(UNDECRYPTABLE_MASK)).toBe(true);
  });

  it('does not take credentials or references for masks', () => {
    for (const value of ['sk-abcdefghijklmnop1234', 'sk-...', 'sk-...abcde', 'a...b...1234', '*****', 'os.environ/OPENAI_API_KEY', 'Bearer sk-...1234']) {
      expect(looksMasked(value)).toBe(false);
    }
  });
});
