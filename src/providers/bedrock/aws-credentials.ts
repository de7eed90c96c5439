import { readFile } from 'node:fs/promises';
import { ErrorCode, GatewayError } from '../../common/gateway-error.js';
import { redactSecrets } from '../../common/secret-redaction.js';
import { type AwsCredentials, signedHeaders } from './aws-sigv4.js';
import type { AwsCredentialSource, BedrockSettings } from './bedrock-config.js';

/** Temporary credentials are replaced this long before they expire, so no request is signed with ones about to lapse. */
export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;
const STS_TIMEOUT_MS = 10_000;
/** AWS's default for AssumeRole; a role with a shorter maximum gets its own. */
const SESSION_SECONDS = 3600;

interface Entry {
  current?: AwsCredentials;
  pending?: Promise<AwsCredentials>;
}

/**
 * Signing credentials per distinct source. Static keys are used as they are; assumed roles and
 * web identities are fetched from STS once, shared by every request and deployment with the
 * same source, and refreshed before they expire. Concurrent requests wait on one STS call.
 * A refresh that fails while the current credentials are still valid keeps using them.
 */
export class AwsCredentialCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  async credentials(s: BedrockSettings): Promise<AwsCredentials> {
    const source = s.credentials;
    if (source.kind === 'error') throw new GatewayError(ErrorCode.DeploymentMisconfigured, `Bedrock deployment has ${source.path} unset: ${source.message}.`);
    if (source.kind === 'static' && !s.assumeRole) return source;
    const key = cacheKey(s);
    let entry = this.entries.get(key);
    if (!entry) {
      entry = {};
      this.entries.set(key, entry);
    }
    const current = entry.current;
    const at = this.now();
    if (current && (!current.expiration || current.expiration.getTime() - REFRESH_BEFORE_EXPIRY_MS > at)) return current;
    entry.pending ??= this.fetch(s, source).then(
      (fresh) => {
        entry.current = fresh;
        entry.pending = undefined;
        return fresh;
      },
      (err: unknown) => {
        entry.pending = undefined;
        throw err;
      },
    );
    try {
      return await entry.pending;
    } catch (err) {
      if (current?.expiration && current.expiration.getTime() > this.now()) return current;
      throw err;
    }
  }

  clear(): void {
    this.entries.clear();
  }

  private async fetch(s: BedrockSettings, source: Exclude<AwsCredentialSource, { kind: 'error' }>): Promise<AwsCredentials> {
    const base = source.kind === 'static' ? source : await webIdentity(s, source);
    return s.assumeRole ? assumeRole(s, base, s.assumeRole) : base;
  }
}

function cacheKey(s: BedrockSettings): string {
  const c = s.credentials;
  const who = c.kind === 'static' ? `${c.accessKeyId}\0${c.secretAccessKey}\0${c.sessionToken ?? ''}` : c.kind === 'web-identity' ? `${c.roleArn}\0${JSON.stringify(c.token)}` : '';
  return [c.kind, who, s.assumeRole?.roleArn ?? '', s.assumeRole?.sessionName ?? '', s.stsEndpoint, s.region ?? ''].join('\0');
}

async function webIdentity(s: BedrockSettings, source: Extract<AwsCredentialSource, { kind: 'web-identity' }>): Promise<AwsCredentials> {
  let token: string;
  if ('value' in source.token) token = source.token.value;
  else {
    try {
      token = (await readFile(source.token.file, 'utf8')).trim();
    } catch (err) {
      const code = (err as { code?: string }).code;
      throw new GatewayError(ErrorCode.DeploymentMisconfigured, `Bedrock: cannot read the web identity token file '${source.token.file}'${code ? ` (${code})` : ''}.`);
    }
  }
  const form = new URLSearchParams({ Action: 'AssumeRoleWithWebIdentity', Version: '2011-06-15', RoleArn: source.roleArn, RoleSessionName: source.sessionName, WebIdentityToken: token });
  // Unsigned by design: the token is the credential.
  return stsCall(s.stsEndpoint, form.toString(), { 'content-type': FORM }, [token]);
}

async function assumeRole(s: BedrockSettings, base: AwsCredentials, role: { roleArn: string; sessionName: string }): Promise<AwsCredentials> {
  const body = new URLSearchParams({ Action: 'AssumeRole', Version: '2011-06-15', RoleArn: role.roleArn, RoleSessionName: role.sessionName, DurationSeconds: String(SESSION_SECONDS) }).toString();
  const url = `${s.stsEndpoint}/`;
  const headers = await signedHeaders({ url, headers: { 'content-type': FORM }, body, service: 'sts', region: s.region ?? 'us-east-1', credentials: base });
  return stsCall(url, body, headers, [base.secretAccessKey, base.sessionToken]);
}

const FORM = 'application/x-www-form-urlencoded; charset=utf-8';

async function stsCall(url: string, body: string, headers: Record<string, string>, secrets: readonly (string | undefined)[]): Promise<AwsCredentials> {
  const { host: _host, ...sent } = headers;
  let status: number;
  let text: string;
  try {
    const res = await fetch(url.endsWith('/') ? url : `${url}/`, { method: 'POST', headers: sent, body, signal: AbortSignal.timeout(STS_TIMEOUT_MS), redirect: 'error' });
    status = res.status;
    text = await res.text();
  } catch (err) {
    throw new GatewayError(ErrorCode.UpstreamError, `Bedrock: could not reach AWS STS at ${new URL(url).host} for temporary credentials (${(err as Error).name}).`, { cause: err });
  }
  if (status !== 200) {
    const code = tag(text, 'Code') ?? `HTTP ${status}`;
    const message = redactSecrets(tag(text, 'Message') ?? '', secrets);
    // 4xx from STS means the credentials or role are wrong: the deployment is rejected, as a 401/403 from Bedrock would be.
    throw new GatewayError(status >= 500 ? ErrorCode.UpstreamError : ErrorCode.UpstreamRejected, `Bedrock: AWS STS refused the temporary credentials: ${code}${message ? `: ${message}` : ''}`, {
      upstreamStatus: status >= 500 ? status : status === 400 ? 403 : status,
      upstreamType: code,
    });
  }
  const accessKeyId = tag(text, 'AccessKeyId');
  const secretAccessKey = tag(text, 'SecretAccessKey');
  const sessionToken = tag(text, 'SessionToken');
  const expiration = tag(text, 'Expiration');
  if (!accessKeyId || !secretAccessKey || !sessionToken || !expiration || Number.isNaN(Date.parse(expiration))) {
    throw new GatewayError(ErrorCode.UpstreamError, 'Bedrock: AWS STS answered without usable credentials.');
  }
  return { accessKeyId, secretAccessKey, sessionToken, expiration: new Date(expiration) };
}

/**
 * One element's text from STS's XML answer. The answer is a fixed, flat document whose values
 * (key ids, base64 tokens, timestamps, error codes) hold no markup, so a full XML parser buys
 * nothing here; entities are decoded for the error messages.
 */
function tag(xml: string, name: string): string | undefined {
  const m = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
  return m ? m[1].replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&').trim() : undefined;
}
