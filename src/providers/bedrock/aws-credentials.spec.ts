import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, GatewayError } from '../../common/gateway-error.js';
import { FakeBedrock } from '../../../test/helpers/fake-bedrock.js';
import { AwsCredentialCache, REFRESH_BEFORE_EXPIRY_MS } from './aws-credentials.js';
import { type AwsCredentials, signedHeaders } from './aws-sigv4.js';
import type { AwsCredentialSource, BedrockSettings } from './bedrock-config.js';

const ROLE = 'arn:aws:iam::123456789012:role/gateway';

let fake: FakeBedrock;
beforeAll(async () => {
  fake = await FakeBedrock.start();
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.reset();
  fake.stsDurationSeconds = 3600;
});

function settings(credentials: AwsCredentialSource, assumeRole?: BedrockSettings['assumeRole']): BedrockSettings {
  return { region: 'us-east-1', credentials, assumeRole, runtimeEndpoint: fake.url, stsEndpoint: fake.url };
}

const staticKeys = (): AwsCredentialSource => ({ kind: 'static', accessKeyId: fake.accessKeyId, secretAccessKey: fake.secretAccessKey, from: 'litellm_params' });
const assumed = () => settings(staticKeys(), { roleArn: ROLE, sessionName: 'switchboard' });

async function rejection(p: Promise<unknown>): Promise<GatewayError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GatewayError);
  return err as GatewayError;
}

/** A Converse call signed with the credentials: the fake answers 200 only if it accepts them (session token included). */
async function converseStatus(creds: AwsCredentials): Promise<number> {
  const url = `${fake.url}/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse`;
  const body = JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'hi' }] }] });
  const { host: _host, ...headers } = await signedHeaders({ url, headers: { 'content-type': 'application/json' }, body, service: 'bedrock', region: 'us-east-1', credentials: creds });
  const res = await fetch(url, { method: 'POST', headers, body });
  await res.text();
  return res.status;
}

describe('AwsCredentialCache', () => {
  it('returns static keys as they are, without calling STS', async () => {
    const source = { ...staticKeys(), sessionToken: 'tok' } as const;
    await expect(new AwsCredentialCache().credentials(settings(source))).resolves.toBe(source);
    expect(fake.stsRequests).toHaveLength(0);
  });

  it('fails a deployment whose credentials are misconfigured', async () => {
    const err = await rejection(new AwsCredentialCache().credentials(settings({ kind: 'error', path: 'litellm_params.aws_access_key_id', message: 'no AWS credentials' })));
    expect(err.code).toBe(ErrorCode.DeploymentMisconfigured);
    expect(err.message).toContain('litellm_params.aws_access_key_id');
  });

  it('AssumeRole: one signed STS call for concurrent callers; the temporary credentials sign Bedrock calls', async () => {
    const cache = new AwsCredentialCache();
    const all = await Promise.all(Array.from({ length: 5 }, () => cache.credentials(assumed())));
    expect(fake.stsRequests).toHaveLength(1);
    expect(fake.stsRequests[0]).toMatchObject({
      action: 'AssumeRole',
      signatureValid: true,
      accessKeyId: fake.accessKeyId,
      params: { RoleArn: ROLE, RoleSessionName: 'switchboard', DurationSeconds: '3600' },
    });
    for (const c of all) expect(c).toBe(all[0]);
    const creds = all[0];
    expect(creds.accessKeyId).toMatch(/^ASIA/);
    expect(creds.sessionToken).toBeTruthy();
    expect(Math.abs(creds.expiration!.getTime() - (Date.now() + 3600_000))).toBeLessThan(10_000);
    expect(await converseStatus(creds)).toBe(200);
    expect(fake.last()).toMatchObject({ signatureValid: true, accessKeyId: creds.accessKeyId });
    // The session token is part of the credential: without it the fake refuses the key.
    expect(await converseStatus({ accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey })).toBe(403);
  });

  it('keeps the credentials until 5 minutes before they expire, then fetches new ones', async () => {
    let t = Date.now();
    const cache = new AwsCredentialCache(() => t);
    const first = await cache.credentials(assumed());
    const refreshAt = first.expiration!.getTime() - REFRESH_BEFORE_EXPIRY_MS;
    t = refreshAt - 1000;
    await expect(cache.credentials(assumed())).resolves.toBe(first);
    expect(fake.stsRequests).toHaveLength(1);
    t = refreshAt + 1000;
    // The fake dates its credentials by the real clock: the new ones must outlive the injected one.
    fake.stsDurationSeconds = 7200;
    const second = await cache.credentials(assumed());
    expect(fake.stsRequests).toHaveLength(2);
    expect(second.accessKeyId).not.toBe(first.accessKeyId);
    t += 1000;
    await expect(cache.credentials(assumed())).resolves.toBe(second);
    expect(fake.stsRequests).toHaveLength(2);
  });

  it('keeps the current credentials when a refresh fails while they are still valid, and retries next time', async () => {
    let t = Date.now();
    const cache = new AwsCredentialCache(() => t);
    const first = await cache.credentials(assumed());
    t = first.expiration!.getTime() - 60_000;
    fake.stsFailures = 1;
    await expect(cache.credentials(assumed())).resolves.toBe(first);
    expect(fake.stsRequests).toHaveLength(2);
    const next = await cache.credentials(assumed());
    expect(fake.stsRequests).toHaveLength(3);
    expect(next.accessKeyId).not.toBe(first.accessKeyId);
  });

  it('fails when a refresh fails after the credentials expired', async () => {
    let t = Date.now();
    const cache = new AwsCredentialCache(() => t);
    const first = await cache.credentials(assumed());
    t = first.expiration!.getTime() + 1000;
    fake.stsFailures = 1;
    const err = await rejection(cache.credentials(assumed()));
    expect(err).toMatchObject({ code: ErrorCode.UpstreamRejected, upstreamStatus: 403, upstreamType: 'AccessDenied' });
  });

  it('STS refusing is a GatewayError with its code; the failure is not cached', async () => {
    const cache = new AwsCredentialCache();
    fake.stsFailures = 1;
    const err = await rejection(cache.credentials(assumed()));
    expect(err).toMatchObject({ code: ErrorCode.UpstreamRejected, upstreamStatus: 403, upstreamType: 'AccessDenied' });
    expect(err.message).toContain('AccessDenied: not authorized');
    await expect(cache.credentials(assumed())).resolves.toMatchObject({ accessKeyId: expect.stringMatching(/^ASIA/) });
    expect(fake.stsRequests).toHaveLength(2);
  });

  it.each([
    ['a wrong secret', { secretAccessKey: 'not-the-secret' }, 'SignatureDoesNotMatch'],
    ['an unknown key', { accessKeyId: 'AKIDUNKNOWN' }, 'InvalidClientTokenId'],
  ])('AssumeRole signed with %s is refused by STS', async (_what, change, code) => {
    const err = await rejection(new AwsCredentialCache().credentials(settings({ ...staticKeys(), ...change } as AwsCredentialSource, { roleArn: ROLE, sessionName: 's' })));
    expect(err).toMatchObject({ code: ErrorCode.UpstreamRejected, upstreamStatus: 403, upstreamType: code });
    expect(err.message).not.toContain('not-the-secret');
    expect(fake.stsRequests[0].signatureValid).toBe(false);
  });

  it('AssumeRoleWithWebIdentity with a token value: unsigned, the token sent, credentials returned', async () => {
    const s = settings({ kind: 'web-identity', roleArn: ROLE, sessionName: 'eks', token: { value: fake.webIdentityToken } });
    const creds = await new AwsCredentialCache().credentials(s);
    expect(fake.stsRequests).toHaveLength(1);
    expect(fake.stsRequests[0]).toMatchObject({
      action: 'AssumeRoleWithWebIdentity',
      signatureValid: false,
      params: { RoleArn: ROLE, RoleSessionName: 'eks', WebIdentityToken: fake.webIdentityToken },
    });
    expect(creds).toMatchObject({ accessKeyId: expect.stringMatching(/^ASIA/), sessionToken: expect.any(String), expiration: expect.any(Date) });
    expect(await converseStatus(creds)).toBe(200);
  });

  it('AssumeRoleWithWebIdentity with a wrong token is refused (403, the token not in the message)', async () => {
    const s = settings({ kind: 'web-identity', roleArn: ROLE, sessionName: 'eks', token: { value: 'wrong-token' } });
    const err = await rejection(new AwsCredentialCache().credentials(s));
    expect(err).toMatchObject({ code: ErrorCode.UpstreamRejected, upstreamStatus: 403, upstreamType: 'InvalidIdentityToken' });
    expect(err.message).not.toContain('wrong-token');
  });

  it('a web identity token file, then AssumeRole of another role signed with the web identity credentials', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bedrock-wi-'));
    try {
      const file = join(dir, 'token');
      writeFileSync(file, `${fake.webIdentityToken}\n`);
      const other = 'arn:aws:iam::210987654321:role/bedrock-invoker';
      const s = settings({ kind: 'web-identity', roleArn: ROLE, sessionName: 'eks', token: { file } }, { roleArn: other, sessionName: 'eks' });
      const creds = await new AwsCredentialCache().credentials(s);
      expect(fake.stsRequests.map((r) => [r.action, r.params.RoleArn, r.signatureValid])).toEqual([
        ['AssumeRoleWithWebIdentity', ROLE, false],
        ['AssumeRole', other, true],
      ]);
      expect(fake.stsRequests[1].accessKeyId).toMatch(/^ASIA/);
      expect(await converseStatus(creds)).toBe(200);
      const missing = await rejection(new AwsCredentialCache().credentials(settings({ kind: 'web-identity', roleArn: ROLE, sessionName: 'eks', token: { file: join(dir, 'nope') } })));
      expect(missing).toMatchObject({ code: ErrorCode.DeploymentMisconfigured, message: expect.stringContaining('ENOENT') });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
