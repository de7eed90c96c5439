import { createHash } from 'node:crypto';
import { GoogleAuth, JWT, type AuthClient } from 'google-auth-library';
import { ErrorCode, GatewayError, truncate } from '../../common/gateway-error.js';
import { redactSecrets } from '../../common/secret-redaction.js';
import type { DeploymentConfig } from '../../config/config.types.js';
import { readVertexCredentials, vertexProject } from './vertex-config.js';

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
/** google-auth-library signs every service-account grant for this endpoint. */
const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

export interface VertexAuth {
  /** A bearer token, cached and refreshed ahead of expiry by google-auth-library. */
  token(): Promise<string>;
  /** The project, when neither the deployment nor the environment names one. */
  project(): Promise<string | undefined>;
  /** What to cut out of upstream error messages (the private key, the current token). */
  secrets(): (string | undefined)[];
  /** Vertex refused the token (revoked, or the key was rotated): the next token() fetches a new one. */
  invalidate(): void;
}

/**
 * One auth client per distinct credentials, shared by every deployment that uses them, so a
 * token is fetched once and reused until google-auth-library refreshes it. Keyed by deployment
 * object first (a config change builds new ones) and by a digest of the credentials second, so
 * no key material is kept as a map key.
 */
const byDeployment = new WeakMap<DeploymentConfig, VertexAuth>();
const byCredentials = new Map<string, VertexAuth>();
/** Bounds the credentials map if deployments are churned over REST; a dropped client only costs a new token. */
const MAX_CLIENTS = 256;

export function vertexAuthFor(d: DeploymentConfig): VertexAuth {
  const cached = byDeployment.get(d);
  if (cached) return cached;
  const read = readVertexCredentialsCached(d);
  if (read.kind === 'error') {
    throw new GatewayError(
      ErrorCode.DeploymentMisconfigured,
      `Deployment '${d.id}' (vertex_ai) cannot be used: litellm_params.vertex_credentials ${read.message}.`,
    );
  }
  const digest = read.kind === 'adc' ? 'adc' : createHash('sha256').update(JSON.stringify(read.json)).digest('hex');
  let auth = byCredentials.get(digest);
  if (!auth) {
    auth = read.kind === 'adc' ? adcAuth() : keyAuth(read.json);
    if (byCredentials.size >= MAX_CLIENTS) byCredentials.clear();
    byCredentials.set(digest, auth);
  }
  byDeployment.set(d, auth);
  return auth;
}

function keyAuth(json: Readonly<Record<string, unknown>>): VertexAuth {
  const privateKey = typeof json.private_key === 'string' ? json.private_key : undefined;
  const make = (): AuthClient => {
    if ((json.type ?? 'service_account') !== 'service_account') {
      return new GoogleAuth({ credentials: json as never, scopes: [CLOUD_PLATFORM_SCOPE] }).fromJSON(json as never);
    }
    const jwt = new JWT({
      email: json.client_email as string,
      key: privateKey,
      keyId: typeof json.private_key_id === 'string' ? json.private_key_id : undefined,
      scopes: [CLOUD_PLATFORM_SCOPE],
    });
    // The library always posts the grant to Google's endpoint; the key file says where its
    // issuer's endpoint is (other universes, and the loopback fake in the tests).
    const tokenUri = typeof json.token_uri === 'string' ? json.token_uri : GOOGLE_TOKEN_URL;
    if (tokenUri !== GOOGLE_TOKEN_URL) {
      const target = new URL(tokenUri);
      jwt.transporter.interceptors.request.add({
        resolved: async (options) => {
          if (options.url.href === GOOGLE_TOKEN_URL) options.url = target;
          return options;
        },
      });
    }
    return jwt;
  };
  return tracked(make, async () => undefined, privateKey);
}

function adcAuth(): VertexAuth {
  let auth!: GoogleAuth;
  // tracked() calls the factory at once and on invalidate(); project() asks the current one.
  return tracked(() => (auth = new GoogleAuth({ scopes: [CLOUD_PLATFORM_SCOPE] })), async () => auth.getProjectId().catch(() => undefined), undefined);
}

/**
 * Tokens from one client, which google-auth-library caches and refreshes ahead of expiry.
 * invalidate() replaces the client, the one way to make it forget a token it still thinks valid.
 */
function tracked(make: () => AuthClient | GoogleAuth, project: () => Promise<string | undefined>, privateKey: string | undefined): VertexAuth {
  let client = make();
  let current: string | undefined;
  return {
    async token() {
      try {
        const c = client instanceof GoogleAuth ? await client.getClient() : client;
        const { token } = await c.getAccessToken();
        if (!token) throw new Error('the token endpoint answered without an access token');
        current = token;
        return token;
      } catch (err) {
        throw tokenError(err, [privateKey, current]);
      }
    },
    project,
    secrets: () => [privateKey, current],
    invalidate() {
      client = make();
    },
  };
}

/**
 * A refused grant (invalid_grant, a deleted key) is the deployment's credentials being wrong, like
 * a 401 from a provider; a token endpoint that cannot be reached is a connection failure, retried.
 */
function tokenError(err: unknown, secrets: (string | undefined)[]): GatewayError {
  const status = (err as { response?: { status?: unknown }; status?: unknown })?.response?.status ?? (err as { status?: unknown })?.status;
  const detail = truncate(redactSecrets(String((err as Error)?.message ?? err), secrets), 300);
  const message = `Could not get a Vertex AI access token: ${detail}`;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new GatewayError(ErrorCode.UpstreamRejected, message, { upstreamStatus: 401, upstreamType: 'UNAUTHENTICATED' });
  }
  if (typeof status === 'number') return new GatewayError(ErrorCode.UpstreamError, message, { upstreamStatus: status >= 500 ? status : 502 });
  return new GatewayError(ErrorCode.UpstreamError, message);
}

/** The project a request goes to; the deployment's or the environment's before asking the credentials. */
export async function resolveProject(d: DeploymentConfig, auth: VertexAuth): Promise<string> {
  const project = vertexProject(d, readVertexCredentialsCached(d)) ?? (await auth.project());
  if (!project) {
    throw new GatewayError(
      ErrorCode.DeploymentMisconfigured,
      `Deployment '${d.id}' (vertex_ai) has no project: set litellm_params.vertex_project or VERTEXAI_PROJECT on the gateway.`,
    );
  }
  return project;
}

/** Reading a credentials file is disk I/O: once per deployment, not per request. */
const readCache = new WeakMap<DeploymentConfig, ReturnType<typeof readVertexCredentials>>();
function readVertexCredentialsCached(d: DeploymentConfig): ReturnType<typeof readVertexCredentials> {
  let read = readCache.get(d);
  if (!read) {
    read = readVertexCredentials(d.vertexCredentials);
    readCache.set(d, read);
  }
  return read;
}
