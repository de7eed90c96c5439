/**
 * Every environment variable the gateway itself reads, in one list. Code reads them through
 * `readEnv`, and the deployment files (docker-compose.yml) are tested against this list, so a
 * documented variable cannot silently stop working. Variables named in config.yaml as
 * `os.environ/NAME` (provider keys, the master key) are read through the config instead.
 */
export const ENV_VARS = {
  CONFIG_PATH: 'path of the config.yaml (flag --config)',
  PORT: 'listen port (flag --port, default 4000)',
  HOST: 'listen address (flag --host, default 0.0.0.0)',
  DATABASE_URL: 'postgres://… switches the store to PostgreSQL (default: embedded SQLite)',
  DATA_DIR: 'directory of the embedded SQLite store (flag --data-dir, default ./data)',
  REDIS_URL: 'redis://… shares counters and config changes between replicas',
  SWITCHBOARD_SALT_KEY: 'key that encrypts provider credentials stored over the admin API (default: the master key)',
  SWITCHBOARD_ADMIN_ALLOWED_ENV_VARS: "comma-separated variables that models written over the admin API may name as os.environ/NAME, beyond *_API_KEY and those the config file's model_list names",
  SWITCHBOARD_ALLOW_FILE_MODEL_EDITS: 'true lets admin writes override entries from the config file (general_settings.allow_file_model_edits)',
  REDIS_KEY_PREFIX: 'prefix of every Redis key and channel, default switchboard: (replicas of one gateway share it)',
  SERVER_ROOT_PATH: 'serve every route under this base path, e.g. /llm (flag --base-path)',
  TRUST_PROXY: 'Express trust proxy: true, a hop count, or addresses/subnets (flag --trust-proxy)',
  CORS_ORIGINS: "comma-separated allowed origins, or '*' (flag --cors-origins; default: CORS off)",
  BODY_LIMIT: 'largest request body, e.g. 20mb (flag --body-limit)',
  KEEP_ALIVE_TIMEOUT: 'HTTP keep-alive timeout in seconds, default 65 (flag --keep-alive-timeout)',
  HEADERS_TIMEOUT: 'HTTP headers timeout in seconds, default keep-alive + 1 (flag --headers-timeout)',
  SHUTDOWN_GRACE: 'seconds in-flight requests may run after SIGTERM, default 30 (flag --shutdown-grace)',
  SHUTDOWN_DELAY: 'seconds to keep accepting with readiness failing after SIGTERM, default 0 (flag --shutdown-delay)',
  UPSTREAM_MAX_SOCKETS: 'open sockets per upstream host, default 1024 (flag --upstream-max-sockets)',
  STORE_CONNECT_TIMEOUT: 'seconds start-up retries an unreachable PostgreSQL store, default 60 (flag --store-connect-timeout)',
  LOG_LEVEL: 'trace|debug|info|warn|error|fatal|silent, default info (flag --log-level)',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'OTLP/HTTP collector base URL; setting it turns tracing on (/v1/traces is appended)',
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'OTLP/HTTP traces URL, used as given; wins over OTEL_EXPORTER_OTLP_ENDPOINT',
  OTEL_EXPORTER_OTLP_HEADERS: 'headers for the OTLP exporter, k=v,k2=v2 (values never logged)',
  OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'headers for the traces exporter only; merged over OTEL_EXPORTER_OTLP_HEADERS',
  OTEL_SERVICE_NAME: 'service.name of the spans, default switchboard',
  OTEL_SDK_DISABLED: 'true turns tracing off even when an endpoint is set',
  OTEL_TRACES_EXPORTER: 'none turns tracing off',
  OTEL_TRACES_SAMPLER: 'always_on | always_off | traceidratio | parentbased_traceidratio (and the parentbased_* forms)',
  OTEL_TRACES_SAMPLER_ARG: 'ratio for the ratio samplers, 0..1',
  VERTEXAI_PROJECT: 'default Google Cloud project of vertex_ai deployments without vertex_project',
  VERTEXAI_LOCATION: 'default region of vertex_ai deployments without vertex_location',
  GOOGLE_APPLICATION_CREDENTIALS: 'service-account or ADC file used by vertex_ai deployments without vertex_credentials',
  GOOGLE_CLOUD_PROJECT: 'project of application default credentials, when the credentials do not name one',
  GCLOUD_PROJECT: 'older spelling of GOOGLE_CLOUD_PROJECT, read the same way',
  AWS_ACCESS_KEY_ID: 'access key of bedrock deployments without aws_access_key_id (with AWS_SECRET_ACCESS_KEY)',
  AWS_SECRET_ACCESS_KEY: 'secret key of bedrock deployments without aws_secret_access_key (never logged)',
  AWS_SESSION_TOKEN: 'session token going with AWS_ACCESS_KEY_ID, for temporary credentials',
  AWS_REGION_NAME: 'region of bedrock deployments without aws_region_name (LiteLLM\'s name; wins over AWS_REGION)',
  AWS_REGION: 'region of bedrock deployments without aws_region_name or AWS_REGION_NAME',
  AWS_DEFAULT_REGION: 'region used when neither AWS_REGION_NAME nor AWS_REGION is set',
  AWS_BEDROCK_RUNTIME_ENDPOINT: 'Bedrock runtime URL of deployments without aws_bedrock_runtime_endpoint or api_base (a VPC endpoint)',
  AWS_ENDPOINT_URL_STS: 'STS URL for assuming roles, when a deployment sets no aws_sts_endpoint',
  AWS_ROLE_ARN: 'role assumed with AWS_WEB_IDENTITY_TOKEN_FILE (EKS service accounts)',
  AWS_WEB_IDENTITY_TOKEN_FILE: 'OIDC token file exchanged for AWS_ROLE_ARN\'s credentials; re-read at each refresh',
  AWS_ROLE_SESSION_NAME: 'session name of assumed roles when a deployment sets no aws_session_name',
} as const;

export type EnvVarName = keyof typeof ENV_VARS;

export function readEnv(name: EnvVarName, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}
