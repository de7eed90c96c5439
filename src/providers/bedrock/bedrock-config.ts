import type { ConfigIssue } from '../../config/config-error.js';
import type { AwsParams, DeploymentConfig } from '../../config/config.types.js';

/**
 * Where a bedrock deployment's settings come from: its aws_* litellm_params first, then the
 * standard AWS environment variables (and LiteLLM's AWS_REGION_NAME). Read per call, not at
 * load time, so that rotated environment credentials (a sidecar rewriting them) are picked up.
 */
export const AWS_ENV = {
  accessKeyId: 'AWS_ACCESS_KEY_ID',
  secretAccessKey: 'AWS_SECRET_ACCESS_KEY',
  sessionToken: 'AWS_SESSION_TOKEN',
  region: ['AWS_REGION_NAME', 'AWS_REGION', 'AWS_DEFAULT_REGION'],
  runtimeEndpoint: 'AWS_BEDROCK_RUNTIME_ENDPOINT',
  stsEndpoint: 'AWS_ENDPOINT_URL_STS',
  roleArn: 'AWS_ROLE_ARN',
  webIdentityTokenFile: 'AWS_WEB_IDENTITY_TOKEN_FILE',
  roleSessionName: 'AWS_ROLE_SESSION_NAME',
} as const;

/** How the deployment gets its signing credentials. */
export type AwsCredentialSource =
  | { readonly kind: 'static'; readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string; readonly from: 'litellm_params' | 'environment' }
  /** An OIDC token exchanged through STS (EKS service accounts, or aws_web_identity_token). */
  | { readonly kind: 'web-identity'; readonly roleArn: string; readonly sessionName: string; readonly token: { readonly value: string } | { readonly file: string } }
  | { readonly kind: 'error'; readonly path: string; readonly message: string };

export interface BedrockSettings {
  readonly region?: string;
  readonly credentials: AwsCredentialSource;
  /** aws_role_name: assumed with `credentials` (unless they are the web identity for this very role). */
  readonly assumeRole?: { readonly roleArn: string; readonly sessionName: string };
  readonly runtimeEndpoint: string;
  readonly stsEndpoint: string;
}

const DEFAULT_SESSION_NAME = 'switchboard';

export function bedrockSettings(d: DeploymentConfig, env: NodeJS.ProcessEnv = process.env): BedrockSettings {
  const p: AwsParams = d.aws ?? {};
  const region = p.regionName || AWS_ENV.region.map((n) => env[n]).find(Boolean) || regionOfEndpoint(p.runtimeEndpoint ?? d.apiBase);
  const sessionName = p.sessionName || env[AWS_ENV.roleSessionName] || DEFAULT_SESSION_NAME;
  let credentials = credentialSource(p, sessionName, env);
  // A request signed with the gateway's own credentials can be replayed by whoever receives it,
  // and a signed AssumeRole yields the role's credentials: a model written over the admin API
  // that names its own host gets them only with credentials of its own.
  if (d.source === 'db' && (credentials.kind === 'web-identity' ? !p.webIdentityToken : credentials.kind === 'static' && credentials.from === 'environment')) {
    const own = p.runtimeEndpoint ? 'aws_bedrock_runtime_endpoint' : d.apiBase ? 'api_base' : p.stsEndpoint ? 'aws_sts_endpoint' : undefined;
    if (own) {
      credentials = {
        kind: 'error',
        path: 'litellm_params.aws_access_key_id',
        message: `is required for a model written over the admin API that sets ${own}: the gateway's environment AWS credentials are only used with AWS's own endpoints`,
      };
    }
  }
  const webIdentityRole = credentials.kind === 'web-identity' ? credentials.roleArn : undefined;
  return {
    region,
    credentials,
    assumeRole: p.roleName && p.roleName !== webIdentityRole ? { roleArn: p.roleName, sessionName } : undefined,
    runtimeEndpoint: p.runtimeEndpoint || d.apiBase?.replace(/\/+$/, '') || env[AWS_ENV.runtimeEndpoint]?.replace(/\/+$/, '') || `https://bedrock-runtime.${region ?? 'us-east-1'}.amazonaws.com`,
    stsEndpoint: p.stsEndpoint || env[AWS_ENV.stsEndpoint]?.replace(/\/+$/, '') || `https://sts.${region ?? 'us-east-1'}.amazonaws.com`,
  };
}

function credentialSource(p: AwsParams, sessionName: string, env: NodeJS.ProcessEnv): AwsCredentialSource {
  if (p.accessKeyId || p.secretAccessKey) {
    if (!p.accessKeyId || !p.secretAccessKey) {
      const missing = p.accessKeyId ? 'aws_secret_access_key' : 'aws_access_key_id';
      return { kind: 'error', path: `litellm_params.${missing}`, message: 'is required when the other half of the AWS access key is set' };
    }
    return { kind: 'static', accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey, sessionToken: p.sessionToken, from: 'litellm_params' };
  }
  if (p.webIdentityToken) {
    if (!p.roleName) return { kind: 'error', path: 'litellm_params.aws_role_name', message: 'is required with aws_web_identity_token (the role the token is exchanged for)' };
    return { kind: 'web-identity', roleArn: p.roleName, sessionName, token: { value: p.webIdentityToken } };
  }
  const id = env[AWS_ENV.accessKeyId];
  const secret = env[AWS_ENV.secretAccessKey];
  if (id && secret) return { kind: 'static', accessKeyId: id, secretAccessKey: secret, sessionToken: env[AWS_ENV.sessionToken] || undefined, from: 'environment' };
  const tokenFile = env[AWS_ENV.webIdentityTokenFile];
  const roleArn = env[AWS_ENV.roleArn];
  if (tokenFile && roleArn) return { kind: 'web-identity', roleArn, sessionName, token: { file: tokenFile } };
  return {
    kind: 'error',
    path: 'litellm_params.aws_access_key_id',
    message:
      `no AWS credentials: set aws_access_key_id and aws_secret_access_key (or ${AWS_ENV.accessKeyId} and ${AWS_ENV.secretAccessKey}), ` +
      `or aws_web_identity_token with aws_role_name (or ${AWS_ENV.webIdentityTokenFile} with ${AWS_ENV.roleArn})`,
  };
}

/** `https://bedrock-runtime.eu-west-1.amazonaws.com` and VPC endpoint names carry the region. */
function regionOfEndpoint(endpoint: string | undefined): string | undefined {
  return endpoint ? /\.([a-z]{2}(?:-gov)?-[a-z]+-\d)\.(?:vpce\.)?amazonaws\.com/.exec(endpoint)?.[1] : undefined;
}

/**
 * What start-up and `check` report for a bedrock deployment: no region, no usable credentials.
 * (An aws_* param naming an unset variable takes the deployment out of service like any other
 * unset reference, and is not checked here.) Once per deployment, never per request.
 */
export function bedrockConfigIssues(d: DeploymentConfig, path: string, env: NodeJS.ProcessEnv = process.env): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const s = bedrockSettings(d, env);
  if (!s.region) {
    issues.push({ path: `${path}.litellm_params.aws_region_name`, message: `is required for provider 'bedrock': set it, or ${AWS_ENV.region.join(' / ')}` });
  }
  if (s.credentials.kind === 'error') issues.push({ path: `${path}.${s.credentials.path}`, message: s.credentials.message });
  return issues;
}

