import { readFileSync } from 'node:fs';
import type { ConfigIssue } from '../../config/config-error.js';
import type { DeploymentConfig } from '../../config/config.types.js';

/** LiteLLM's variables for the Vertex project and location, used when the deployment names none. */
export const VERTEX_PROJECT_ENV = 'VERTEXAI_PROJECT';
export const VERTEX_LOCATION_ENV = 'VERTEXAI_LOCATION';
export const DEFAULT_VERTEX_LOCATION = 'us-central1';

export type CredentialsRead =
  /** No vertex_credentials: application default credentials. */
  | { readonly kind: 'adc' }
  | { readonly kind: 'json'; readonly json: Readonly<Record<string, unknown>>; readonly path?: string }
  | { readonly kind: 'error'; readonly message: string };

/**
 * vertex_credentials as LiteLLM takes it: the JSON key itself (text, or a mapping in YAML), or
 * the path of a file holding it. A value starting with `{` is JSON text, never a path. The error
 * messages name the file and what is wrong with it, and never quote its content.
 */
export function readVertexCredentials(value: DeploymentConfig['vertexCredentials']): CredentialsRead {
  if (value === undefined || value === null || value === '') return { kind: 'adc' };
  if (typeof value === 'object') return checked(value as Record<string, unknown>);
  if (typeof value !== 'string') return { kind: 'error', message: 'must be a file path, the service-account JSON text, or a mapping' };
  if (value.trimStart().startsWith('{')) {
    const json = parseJson(value);
    return json ? checked(json) : { kind: 'error', message: 'is not valid JSON (it starts with "{", so it was read as the key itself rather than a file path)' };
  }
  let text: string;
  try {
    text = readFileSync(value, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    return { kind: 'error', message: `cannot read the credentials file '${value}'${code ? ` (${code})` : ''}` };
  }
  const json = parseJson(text);
  if (!json) return { kind: 'error', message: `the credentials file '${value}' is not valid JSON` };
  const read = checked(json);
  if (read.kind === 'error') return { kind: 'error', message: `the credentials file '${value}' ${read.message}` };
  return read.kind === 'json' ? { ...read, path: value } : read;
}

/**
 * A service-account key needs both halves of the JWT grant. Other credential types (an
 * authorized_user from `gcloud auth application-default login`, workload identity federation)
 * are handed to google-auth-library as they are.
 */
function checked(json: Record<string, unknown>): CredentialsRead {
  const type = json.type ?? 'service_account';
  if (type === 'service_account') {
    const missing = ['client_email', 'private_key'].filter((k) => typeof json[k] !== 'string' || !json[k]);
    if (missing.length) return { kind: 'error', message: `is not a usable service-account key: ${missing.join(' and ')} missing` };
  } else if (typeof type !== 'string') {
    return { kind: 'error', message: `has a 'type' that is not a string` };
  }
  return { kind: 'json', json };
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    /* reported by the caller */
  }
  return undefined;
}

/** The project: vertex_project, else VERTEXAI_PROJECT, else the credentials' own project_id. */
export function vertexProject(d: DeploymentConfig, credentials: CredentialsRead, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (d.vertexProject) return d.vertexProject;
  if (env[VERTEX_PROJECT_ENV]) return env[VERTEX_PROJECT_ENV];
  const fromKey = credentials.kind === 'json' ? credentials.json.project_id ?? credentials.json.quota_project_id : undefined;
  return typeof fromKey === 'string' && fromKey ? fromKey : undefined;
}

export function vertexLocation(d: DeploymentConfig, env: NodeJS.ProcessEnv = process.env): string {
  return d.vertexLocation || env[VERTEX_LOCATION_ENV] || DEFAULT_VERTEX_LOCATION;
}

/**
 * What start-up and `check` report for a vertex_ai deployment: credentials that cannot be used
 * and a project that cannot be known. With application default credentials the project may
 * still come from the environment Google's libraries read (GOOGLE_CLOUD_PROJECT, the ADC file).
 */
export function vertexConfigIssues(d: DeploymentConfig, path: string, env: NodeJS.ProcessEnv = process.env): ConfigIssue[] {
  const credentials = readVertexCredentials(d.vertexCredentials);
  if (credentials.kind === 'error') return [{ path: `${path}.litellm_params.vertex_credentials`, message: credentials.message }];
  if (vertexProject(d, credentials, env)) return [];
  if (credentials.kind === 'adc' && (env.GOOGLE_CLOUD_PROJECT || env.GCLOUD_PROJECT || adcFileProject(env))) return [];
  return [{
    path: `${path}.litellm_params.vertex_project`,
    message: `is required for provider 'vertex_ai': set it, or ${VERTEX_PROJECT_ENV}, or use credentials that name a project_id`,
  }];
}

function adcFileProject(env: NodeJS.ProcessEnv): string | undefined {
  const file = env.GOOGLE_APPLICATION_CREDENTIALS;
  if (!file) return undefined;
  const read = readVertexCredentials(file);
  return read.kind === 'json' && typeof read.json.project_id === 'string' ? read.json.project_id : undefined;
}
