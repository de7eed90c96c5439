import { ErrorCode, GatewayError } from '../common/gateway-error.js';

/**
 * What a failed attempt means for routing. Retries, cooldowns and fallbacks all decide from
 * this one classification, so they can never disagree about the same error.
 */
export type FailureClass =
  | 'timeout'
  | 'rate_limit'
  | 'server'
  | 'connection'
  | 'context_window'
  /** The provider's content filter refused the prompt or the answer: retrying cannot change that. */
  | 'content_policy'
  /** 401/403/404 from the upstream: the deployment's credentials or model id are wrong, not the request. */
  | 'deployment_rejected'
  /** 400/422 and other request problems: the same request fails everywhere. */
  | 'client'
  | 'no_healthy'
  | 'internal';

const CONTEXT_WINDOW_MESSAGE =
  /context[_ ]length|context window|maximum context|prompt is too long|input is too long|too many (input )?tokens|reduce the length of the (messages|input|prompt)/i;

export function classifyFailure(err: unknown): FailureClass {
  if (!(err instanceof GatewayError)) return 'internal';
  switch (err.code) {
    case ErrorCode.UpstreamTimeout:
      return 'timeout';
    case ErrorCode.UpstreamError:
      return err.upstreamStatus !== undefined ? 'server' : 'connection';
    case ErrorCode.NoHealthyDeployment:
      return 'no_healthy';
    // Retrying cannot conjure a missing key; another deployment or a fallback may still serve.
    case ErrorCode.DeploymentMisconfigured:
      return 'deployment_rejected';
    case ErrorCode.UpstreamRejected: {
      const status = err.upstreamStatus;
      if (status === 429) return 'rate_limit';
      if (status === 408) return 'timeout';
      if (isContextWindowError(err)) return 'context_window';
      if (isContentPolicyError(err)) return 'content_policy';
      if (status === 401 || status === 403 || status === 404) return 'deployment_rejected';
      return 'client';
    }
    default:
      return 'client';
  }
}

/** OpenAI's `context_length_exceeded` code, or the wording other providers use for the same thing. */
export function isContextWindowError(err: GatewayError): boolean {
  if (err.code !== ErrorCode.UpstreamRejected) return false;
  if (err.upstreamStatus !== 400 && err.upstreamStatus !== 413 && err.upstreamStatus !== 422) return false;
  if (err.upstreamCode === 'context_length_exceeded' || err.upstreamCode === 'string_above_max_length') return true;
  return CONTEXT_WINDOW_MESSAGE.test(err.message);
}

/**
 * Codes providers send for a content-filter refusal: OpenAI's `content_policy_violation` (and
 * `content_filter` on some endpoints), Azure OpenAI's `content_filter` with the inner code
 * `ResponsibleAIPolicyViolation`, Vertex/Gemini's `SAFETY`-blocked prompts.
 */
const CONTENT_POLICY_CODES = new Set(['content_policy_violation', 'content_filter', 'responsibleaipolicyviolation', 'content_policy', 'safety']);

/**
 * The wording of the same refusal where no code is given: Azure's "content management policy",
 * Anthropic's "Output blocked by content filtering policy", Bedrock guardrails, OpenAI's
 * "rejected as a result of our safety system".
 */
const CONTENT_POLICY_MESSAGE =
  /content[_ ](management|filtering)? ?policy|content_policy_violation|content[_ ]filter(ing)?\b|responsibleaipolicyviolation|safety system|blocked by (the )?(content|safety|guardrail)/i;

/** A 400/403/422 that is the provider refusing the content, not the request's shape. */
export function isContentPolicyError(err: GatewayError): boolean {
  if (err.code !== ErrorCode.UpstreamRejected) return false;
  if (err.upstreamStatus !== 400 && err.upstreamStatus !== 403 && err.upstreamStatus !== 422) return false;
  const code = typeof err.upstreamCode === 'string' ? err.upstreamCode.toLowerCase() : undefined;
  if (code !== undefined && CONTENT_POLICY_CODES.has(code)) return true;
  return CONTENT_POLICY_MESSAGE.test(err.message);
}

/** Failures worth another attempt on the same group. Client errors never are. */
export function isRetryableClass(c: FailureClass): boolean {
  return c === 'timeout' || c === 'rate_limit' || c === 'server' || c === 'connection';
}

/** Failures that say something about the deployment's health (and so count towards a cooldown). */
export function countsAgainstDeployment(c: FailureClass): boolean {
  return isRetryableClass(c) || c === 'deployment_rejected';
}

/** LiteLLM's retry_policy keys, per failure class. */
export function retryPolicyKey(c: FailureClass): string | undefined {
  switch (c) {
    case 'timeout':
      return 'TimeoutErrorRetries';
    case 'rate_limit':
      return 'RateLimitErrorRetries';
    case 'server':
    case 'connection':
      return 'InternalServerErrorRetries';
    default:
      return undefined;
  }
}
