import { createHash } from 'node:crypto';
import { verifySigV4 } from '../../../test/helpers/fake-bedrock.js';
import { type AwsCredentials, signedHeaders } from './aws-sigv4.js';

const URL_WITH_COLON = 'http://127.0.0.1:1234/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse';
const RAW_PATH = '/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse';
const BODY = JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'Hi' }] }] });
const KEYS: AwsCredentials = { accessKeyId: 'AKIDSPEC0001', secretAccessKey: 'spec/secret+KEY=1' };

async function sign(credentials: AwsCredentials = KEYS, url = URL_WITH_COLON, body = BODY): Promise<Record<string, string>> {
  return signedHeaders({ url, headers: { 'content-type': 'application/json' }, body, service: 'bedrock', region: 'us-east-1', credentials });
}

function verify(headers: Record<string, string>, over: Partial<Parameters<typeof verifySigV4>[0]> = {}) {
  return verifySigV4({
    method: 'POST',
    rawPath: RAW_PATH,
    query: '',
    headers,
    body: BODY,
    secretFor: (id) => (id === KEYS.accessKeyId ? KEYS.secretAccessKey : undefined),
    service: 'bedrock',
    region: 'us-east-1',
    ...over,
  });
}

describe('the independent SigV4 verifier (test/helpers/fake-bedrock)', () => {
  // AWS's published SigV4 test suite, case get-vanilla: pins the verifier to AWS, not to the signer under test.
  it('accepts the AWS test-suite request get-vanilla and rejects it with one byte changed', () => {
    const headers = {
      host: 'example.amazonaws.com',
      'x-amz-date': '20150830T123600Z',
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    };
    const args = {
      method: 'GET',
      rawPath: '/',
      query: '',
      headers,
      body: '',
      secretFor: (id: string) => (id === 'AKIDEXAMPLE' ? 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' : undefined),
      service: 'service',
      region: 'us-east-1',
      now: new Date('2015-08-30T12:40:00Z'),
    };
    expect(verifySigV4(args)).toEqual({ ok: true, accessKeyId: 'AKIDEXAMPLE' });
    expect(verifySigV4({ ...args, headers: { ...headers, host: 'example.amazonaws.con' } }).ok).toBe(false);
  });
});

describe('signedHeaders (SigV4 for Bedrock)', () => {
  it('signs host, date, payload hash and the given headers, scoped to the region and service', async () => {
    const h = await sign();
    expect(h.host).toBe('127.0.0.1:1234');
    expect(h['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(h['x-amz-content-sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect(h['x-amz-security-token']).toBeUndefined();
    expect(h.authorization).toMatch(
      new RegExp(`^AWS4-HMAC-SHA256 Credential=AKIDSPEC0001/${h['x-amz-date'].slice(0, 8)}/us-east-1/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$`),
    );
  });

  it('is accepted for a model id with ":" (sent as %3A, signed as %253A)', async () => {
    expect(verify(await sign())).toEqual({ ok: true, accessKeyId: 'AKIDSPEC0001' });
  });

  it('is rejected for a tampered body', async () => {
    const h = await sign();
    const tampered = BODY.replace('Hi', 'Ho');
    expect(verify(h, { body: tampered })).toMatchObject({ ok: false, reason: expect.stringContaining('x-amz-content-sha256') });
    // With the hash header rewritten to match, the signature (which covers it) still catches it.
    const rehashed = { ...h, 'x-amz-content-sha256': createHash('sha256').update(tampered).digest('hex') };
    expect(verify(rehashed, { body: tampered })).toMatchObject({ ok: false, reason: 'signature does not match' });
  });

  it('is rejected with the wrong secret, or an unknown key', async () => {
    const h = await sign();
    expect(verify(h, { secretFor: () => 'spec/secret+KEY=2' })).toMatchObject({ ok: false, reason: 'signature does not match', accessKeyId: 'AKIDSPEC0001' });
    expect(verify(h, { secretFor: () => undefined })).toMatchObject({ ok: false, reason: expect.stringContaining('unknown access key') });
  });

  it('is rejected for a tampered path, including the ":" decoded or encoded only once', async () => {
    const h = await sign();
    expect(verify(h, { rawPath: RAW_PATH.replace('converse', 'converse-stream') }).ok).toBe(false);
    expect(verify(h, { rawPath: RAW_PATH.replace('v1%3A0', 'v1%3A1') }).ok).toBe(false);
    expect(verify(h, { rawPath: RAW_PATH.replace('%3A', ':') }).ok).toBe(false);
  });

  it('is rejected for another region, service, signed header value or a stale date', async () => {
    const h = await sign();
    expect(verify(h, { region: 'eu-west-1' }).ok).toBe(false);
    expect(verify(h, { service: 'sts' }).ok).toBe(false);
    expect(verify({ ...h, 'content-type': 'text/plain' }).ok).toBe(false);
    expect(verify({ ...h, host: '127.0.0.1:1235' }).ok).toBe(false);
    expect(verify(h, { now: new Date(Date.now() + 20 * 60_000) })).toMatchObject({ ok: false, reason: expect.stringContaining('15 minutes') });
  });

  it('signs the session token of temporary credentials', async () => {
    const token = 'IQoJb3JpZ2luX2VjEXAMPLE+token/with=chars';
    const h = await sign({ ...KEYS, sessionToken: token });
    expect(h['x-amz-security-token']).toBe(token);
    expect(h.authorization).toContain('SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token,');
    expect(verify(h).ok).toBe(true);
    expect(verify({ ...h, 'x-amz-security-token': `${token}x` })).toMatchObject({ ok: false, reason: 'signature does not match' });
  });

  it('signs the query string', async () => {
    const url = 'http://127.0.0.1:1234/model/m/invoke?b=2&a=x%20y';
    const h = await sign(KEYS, url);
    expect(verify(h, { rawPath: '/model/m/invoke', query: 'b=2&a=x%20y' }).ok).toBe(true);
    expect(verify(h, { rawPath: '/model/m/invoke', query: 'b=2&a=x%20z' }).ok).toBe(false);
  });
});
