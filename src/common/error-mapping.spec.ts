import { BadRequestException, ForbiddenException, HttpException, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { isAnthropicRoute, mapAnthropicError, mapError } from './error-mapping.js';
import { ErrorCode, GatewayError } from './gateway-error.js';

describe('mapError', () => {
  const table: [ErrorCode, number, string, string | null][] = [
    [ErrorCode.ModelNotFound, 404, 'invalid_request_error', 'model_not_found'],
    [ErrorCode.InvalidRequest, 400, 'invalid_request_error', null],
    [ErrorCode.UnsupportedMediaType, 415, 'invalid_request_error', 'unsupported_media_type'],
    [ErrorCode.PayloadTooLarge, 413, 'invalid_request_error', 'payload_too_large'],
    [ErrorCode.RouteNotFound, 404, 'invalid_request_error', 'not_found'],
    [ErrorCode.Unauthorized, 401, 'authentication_error', 'invalid_api_key'],
    [ErrorCode.Forbidden, 403, 'permission_error', 'permission_denied'],
    [ErrorCode.RateLimited, 429, 'rate_limit_error', 'rate_limit_exceeded'],
    [ErrorCode.BudgetExceeded, 429, 'rate_limit_error', 'budget_exceeded'],
    [ErrorCode.UpstreamError, 502, 'api_error', 'upstream_error'],
    [ErrorCode.UpstreamTimeout, 504, 'timeout_error', 'upstream_timeout'],
    [ErrorCode.NoHealthyDeployment, 503, 'api_error', 'no_healthy_deployment'],
    [ErrorCode.ShuttingDown, 503, 'api_error', 'shutting_down'],
    [ErrorCode.DeploymentMisconfigured, 502, 'api_error', 'deployment_misconfigured'],
    [ErrorCode.Internal, 500, 'api_error', 'internal_error'],
    [ErrorCode.PreviousResponseNotFound, 400, 'invalid_request_error', 'previous_response_not_found'],
    [ErrorCode.ResponseStoreUnavailable, 503, 'api_error', 'response_store_unavailable'],
  ];

  it.each(table)('%s → %i %s/%s', (code, status, type, errorCode) => {
    const mapped = mapError(new GatewayError(code, 'msg', { param: 'p' }));
    expect(mapped.status).toBe(status);
    expect(mapped.body).toEqual({ error: { message: 'msg', type, param: 'p', code: errorCode } });
  });

  it('every error code maps to a 4xx or 5xx, never a success', () => {
    for (const code of Object.values(ErrorCode)) {
      const { status, body } = mapError(new GatewayError(code, 'm', { upstreamStatus: 418 }));
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(600);
      expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
    }
  });

  describe('upstream rejections keep the upstream status', () => {
    it.each([
      [400, 'invalid_request_error'],
      [401, 'authentication_error'],
      [403, 'permission_error'],
      [404, 'invalid_request_error'],
      [409, 'invalid_request_error'],
      [422, 'invalid_request_error'],
      [429, 'rate_limit_error'],
      [418, 'invalid_request_error'],
    ])('%i → %s', (status, type) => {
      const mapped = mapError(new GatewayError(ErrorCode.UpstreamRejected, 'no', { upstreamStatus: status, upstreamCode: 'their_code' }));
      expect(mapped.status).toBe(status);
      expect(mapped.body.error.type).toBe(type);
      expect(mapped.body.error.code).toBe('their_code');
    });

    it.each([undefined, 200, 302, 500])('an impossible upstream status (%s) becomes 400, never a success or a 5xx', (status) => {
      expect(mapError(new GatewayError(ErrorCode.UpstreamRejected, 'no', { upstreamStatus: status })).status).toBe(400);
    });

    it('a numeric upstream code is a string in the body', () => {
      expect(mapError(new GatewayError(ErrorCode.UpstreamRejected, 'no', { upstreamStatus: 400, upstreamCode: 400 })).body.error.code).toBe('400');
    });
  });

  it.each([
    [7, '7'],
    [0.2, '1'],
    [-3, '0'],
  ])('retryAfterSeconds %s → Retry-After: %s', (seconds, header) => {
    expect(mapError(new GatewayError(ErrorCode.RateLimited, 'slow', { retryAfterSeconds: seconds })).headers['retry-after']).toBe(header);
  });

  it('no Retry-After unless known', () => {
    expect(mapError(new GatewayError(ErrorCode.RateLimited, 'slow')).headers).toEqual({});
  });

  it.each([
    [new BadRequestException('bad'), 400, 'bad'],
    [new ForbiddenException('nope'), 403, 'nope'],
    [new NotFoundException('Cannot GET /x'), 404, 'Cannot GET /x'],
    [new PayloadTooLargeException('big'), 413, 'big'],
    [new HttpException({ message: ['a is wrong', 'b is wrong'] }, 400), 400, 'a is wrong; b is wrong'],
    [new HttpException('teapot', 418), 418, 'teapot'],
  ])('a Nest HttpException keeps its status in the OpenAI shape (#%#)', (exception, status, message) => {
    const mapped = mapError(exception);
    expect(mapped.status).toBe(status);
    expect(mapped.body.error.message).toBe(message);
  });

  it.each([new Error('ECONNREFUSED at /srv/secret/path.ts:12'), new TypeError("Cannot read properties of undefined (reading 'x')"), 'a string', null, new HttpException('oops', 503)])(
    'anything else is a 500 that reveals nothing (#%#)',
    (thrown) => {
      const mapped = mapError(thrown);
      expect(mapped.status).toBe(500);
      expect(mapped.body.error).toEqual({ message: 'The gateway hit an internal error. It has been logged.', type: 'api_error', param: null, code: 'internal_error' });
    },
  );
});

describe('mapAnthropicError', () => {
  const table: [ErrorCode, number, string][] = [
    [ErrorCode.ModelNotFound, 404, 'not_found_error'],
    [ErrorCode.InvalidRequest, 400, 'invalid_request_error'],
    [ErrorCode.UnsupportedMediaType, 415, 'invalid_request_error'],
    [ErrorCode.PayloadTooLarge, 413, 'request_too_large'],
    [ErrorCode.Unauthorized, 401, 'authentication_error'],
    [ErrorCode.Forbidden, 403, 'permission_error'],
    [ErrorCode.RateLimited, 429, 'rate_limit_error'],
    [ErrorCode.BudgetExceeded, 429, 'rate_limit_error'],
    [ErrorCode.UpstreamError, 502, 'api_error'],
    [ErrorCode.UpstreamTimeout, 504, 'timeout_error'],
    [ErrorCode.NoHealthyDeployment, 503, 'overloaded_error'],
    [ErrorCode.ShuttingDown, 503, 'api_error'],
    [ErrorCode.Internal, 500, 'api_error'],
  ];

  it.each(table)('%s → %i %s, same status as the OpenAI shape', (code, status, type) => {
    const err = new GatewayError(code, 'msg', { retryAfterSeconds: 2 });
    const mapped = mapAnthropicError(err);
    expect(mapped.status).toBe(status);
    expect(mapped.status).toBe(mapError(err).status);
    expect(mapped.headers['retry-after']).toBe('2');
    expect(mapped.body).toEqual({ type: 'error', error: { type, message: 'msg' } });
  });

  it('keeps an upstream 4xx status', () => {
    const mapped = mapAnthropicError(new GatewayError(ErrorCode.UpstreamRejected, 'm', { upstreamStatus: 404 }));
    expect(mapped).toMatchObject({ status: 404, body: { error: { type: 'not_found_error' } } });
  });

  it.each([
    ['/v1/messages', true],
    ['/messages', true],
    ['/v1/messages/count_tokens', true],
    ['/gw/v1/messages', true],
    ['/v1/chat/completions', false],
    ['/v1/responses', false],
    ['/v1/messagesx', false],
  ])('isAnthropicRoute(%s) = %s', (path, expected) => {
    expect(isAnthropicRoute(path)).toBe(expected);
  });
});
