import { ErrorCode, GatewayError } from '../common/gateway-error.js';
import { ConfigRegistryService } from '../config/config-registry.service.js';
import { parseConfigText } from '../config/config-loader.js';
import type { SseEvent, UpstreamStream } from '../providers/provider-adapter.js';
import { ModelResolutionService } from './model-resolution.service.js';
import { seededRng } from './random.js';
import { ExecuteOptions, ResolvedTarget, RouterService } from './router.service.js';
import { deploymentKey } from './routing-strategy.js';

/**
 * The router against a real config, registry and resolver. Only the upstream call is scripted:
 * it is the router's input, not the code under test.
 */
function setup(routerSettings: string, models = 'a b c') {
  const list = models
    .split(' ')
    .map((id) => `  - model_name: ${id === 'backup' ? 'backup' : 'grp'}\n    litellm_params: { model: openai/${id}, api_base: http://127.0.0.1:9/v1 }\n    model_info: { id: ${id} }`)
    .join('\n');
  const yaml = `model_list:\n${list}\nrouter_settings:\n  retry_after: 0.001\n  model_group_alias: { nick: grp }\n${routerSettings}`;
  const registry = new ConfigRegistryService({ loaded: parseConfigText(yaml, {}) });
  const resolver = new ModelResolutionService(registry);
  const router = new RouterService(resolver, seededRng(99));
  return { router, resolver, registry };
}

const options = (overrides: Partial<ExecuteOptions> = {}): ExecuteOptions => ({
  requestId: 'test',
  signal: new AbortController().signal,
  stream: false,
  endpoint: 'chat',
  ...overrides,
});

const fail500 = () => new GatewayError(ErrorCode.UpstreamError, 'boom', { upstreamStatus: 500 });

describe('RouterService', () => {
  it('retries on a deployment not yet tried, and reports which one served', async () => {
    const { router, resolver } = setup('  num_retries: 2\n');
    const seen: string[] = [];
    const done = await router.execute(
      resolver.resolve('grp', 'chat'),
      async (t) => {
        seen.push(t.deploymentId);
        if (seen.length < 3) throw fail500();
        return t.deploymentId;
      },
      options(),
    );
    expect(new Set(seen).size).toBe(3);
    expect(done.result).toBe(seen[2]);
    expect(done.target.deploymentId).toBe(seen[2]);
    expect(done.attempts).toBe(3);
  });

  it('never retries a 400, and gives the attempt the client’s name', async () => {
    const { router, resolver } = setup('  num_retries: 5\n');
    let calls = 0;
    let seenName = '';
    const err = await router
      .execute(
        resolver.resolve('nick', 'chat'),
        async (t: ResolvedTarget) => {
          calls++;
          seenName = t.requestedName;
          throw new GatewayError(ErrorCode.UpstreamRejected, 'bad', { upstreamStatus: 400 });
        },
        options(),
      )
      .catch((e: unknown) => e);
    expect((err as GatewayError).upstreamStatus).toBe(400);
    expect(calls).toBe(1);
    expect(seenName).toBe('nick');
  });

  it('falls back through the resolver, keeping the requested name', async () => {
    const { router, resolver } = setup('  num_retries: 0\n  fallbacks: [{ nick: [backup] }]\n', 'a backup');
    const done = await router.execute(
      resolver.resolve('nick', 'chat'),
      async (t) => {
        if (t.group === 'grp') throw fail500();
        return t;
      },
      options(),
    );
    expect(done.fallback).toBe('backup');
    expect(done.target.deploymentId).toBe('backup');
    expect(done.target.requestedName).toBe('nick');
    expect(done.attempts).toBe(2);
  });

  it('resolves fallbacks on the table the request started with, even when a new one went live meanwhile', async () => {
    const table = (fallback: string, backupModel: string) => `model_list:
  - model_name: grp
    litellm_params: { model: openai/a, api_base: http://127.0.0.1:9/v1 }
    model_info: { id: a }
  - model_name: backup
    litellm_params: { model: openai/${backupModel}, api_base: http://127.0.0.1:9/v1 }
    model_info: { id: backup-${backupModel} }
  - model_name: fresh
    litellm_params: { model: openai/fresh, api_base: http://127.0.0.1:9/v1 }
    model_info: { id: fresh }
router_settings:
  num_retries: 0
  fallbacks: [{ grp: [${fallback}] }]
`;
    const registry = new ConfigRegistryService({ loaded: parseConfigText(table('backup', 'old'), {}) });
    const resolver = new ModelResolutionService(registry);
    const router = new RouterService(resolver, seededRng(1));
    const resolution = resolver.resolve('grp', 'chat');
    // An admin write lands after the request resolved its model: it changes both the fallback
    // list and what `backup` means.
    registry.replace(parseConfigText(table('fresh', 'new'), {}).config);
    const done = await router.execute(
      resolution,
      async (t) => {
        if (t.group === 'grp') throw fail500();
        return t;
      },
      options(),
    );
    expect(registry.table.groupTargets('backup')![0].deploymentId).toBe('backup-new');
    expect(done.fallback).toBe('backup');
    expect(done.target.deploymentId).toBe('backup-old');
    expect(done.target.upstreamModel).toBe('old');
  });

  it('stops at once when the client has gone', async () => {
    const { router, resolver } = setup('  num_retries: 5\n  fallbacks: [{ grp: [backup] }]\n', 'a b backup');
    const controller = new AbortController();
    let calls = 0;
    await expect(
      router.execute(
        resolver.resolve('grp', 'chat'),
        async () => {
          calls++;
          controller.abort();
          throw new GatewayError(ErrorCode.UpstreamError, 'cancelled');
        },
        options({ signal: controller.signal }),
      ),
    ).rejects.toThrow('cancelled');
    expect(calls).toBe(1);
  });

  it('cools a deployment down after allowed_fails and skips it', async () => {
    const { router, resolver } = setup('  num_retries: 1\n  allowed_fails: 0\n  cooldown_time: 60\n', 'a b');
    const seen: string[] = [];
    const attempt = async (t: ResolvedTarget) => {
      seen.push(t.deploymentId);
      if (t.deploymentId === 'a') throw fail500();
      return 'ok';
    };
    for (let i = 0; i < 20; i++) await router.execute(resolver.resolve('grp', 'chat'), attempt, options());
    expect(seen.filter((id) => id === 'a')).toHaveLength(1);
    expect(seen.filter((id) => id === 'b')).toHaveLength(20);
  });

  it('answers no_healthy_deployment with Retry-After when every deployment cools down', async () => {
    const { router, resolver } = setup('  num_retries: 1\n  allowed_fails: 0\n  cooldown_time: 20\n', 'a b');
    const always500 = async () => {
      throw fail500();
    };
    await expect(router.execute(resolver.resolve('grp', 'chat'), always500, options())).rejects.toThrow('boom');
    const err = (await router.execute(resolver.resolve('grp', 'chat'), always500, options()).catch((e: unknown) => e)) as GatewayError;
    expect(err.code).toBe(ErrorCode.NoHealthyDeployment);
    expect(err.retryAfterSeconds).toBe(20);
  });

  it('an upstream 401 cools a deployment down only when the group has another one', async () => {
    const reject401 = async () => {
      throw new GatewayError(ErrorCode.UpstreamRejected, 'bad key', { upstreamStatus: 401 });
    };
    const single = setup('  allowed_fails: 0\n', 'a');
    for (let i = 0; i < 3; i++) {
      const err = (await single.router.execute(single.resolver.resolve('grp', 'chat'), reject401, options()).catch((e: unknown) => e)) as GatewayError;
      expect(err.upstreamStatus).toBe(401);
    }
    const pair = setup('  allowed_fails: 0\n  cooldown_time: 60\n', 'a b');
    const seen: string[] = [];
    const attempt = async (t: ResolvedTarget) => {
      seen.push(t.deploymentId);
      if (t.deploymentId === 'a') return reject401();
      return 'ok';
    };
    for (let i = 0; i < 10; i++) await pair.router.execute(pair.resolver.resolve('grp', 'chat'), attempt, options()).catch(() => undefined);
    expect(seen.filter((id) => id === 'a')).toHaveLength(1);
  });

  describe('streams', () => {
    async function* events(items: (string | Error)[]): AsyncGenerator<SseEvent> {
      for (const i of items) {
        if (i instanceof Error) throw i;
        yield { data: i };
      }
    }
    const collect = async (s: UpstreamStream) => {
      const out: string[] = [];
      for await (const e of s.events) out.push(e.data);
      return out;
    };

    it('retries a stream that fails before its first event', async () => {
      const { router, resolver } = setup('  num_retries: 1\n', 'a');
      let calls = 0;
      const done = await router.execute<UpstreamStream>(
        resolver.resolve('grp', 'chat'),
        async () => {
          calls++;
          return { headers: {}, events: calls === 1 ? events([fail500()]) : events(['one', 'two']) };
        },
        options({ stream: true }),
      );
      expect(calls).toBe(2);
      expect(await collect(done.result)).toEqual(['one', 'two']);
      expect(router.stats.inFlight(deploymentKey(done.target))).toBe(0);
    });

    it('never cools down the only deployment of a group: its real error keeps reaching the client', async () => {
      const { router, resolver } = setup('  num_retries: 0\n  allowed_fails: 0\n  cooldown_time: 60\n', 'a');
      for (let i = 0; i < 3; i++) {
        const err = (await router
          .execute(resolver.resolve('grp', 'chat'), async () => Promise.reject(fail500()), options())
          .catch((e: unknown) => e)) as GatewayError;
        expect(err.code).toBe(ErrorCode.UpstreamError);
      }
    });

    it('treats an empty stream as a failure', async () => {
      const { router, resolver } = setup('  num_retries: 0\n', 'a');
      await expect(
        router.execute(resolver.resolve('grp', 'chat'), async () => ({ headers: {}, events: events([]) }), options({ stream: true })),
      ).rejects.toThrow(/without sending any event/);
    });

    it('does not retry after the first event: the failure reaches the consumer, in-flight is released', async () => {
      const { router, resolver } = setup('  num_retries: 3\n', 'a b');
      let calls = 0;
      const done = await router.execute<UpstreamStream>(
        resolver.resolve('grp', 'chat'),
        async () => {
          calls++;
          return { headers: {}, events: events(['one', fail500()]) };
        },
        options({ stream: true }),
      );
      const key = deploymentKey(done.target);
      expect(router.stats.inFlight(key)).toBe(1);
      await expect(collect(done.result)).rejects.toThrow('boom');
      expect(calls).toBe(1);
      expect(router.stats.inFlight(key)).toBe(0);
      expect(router.cooldowns.recentFailures(key, Date.now())).toBe(1);
    });
  });
});

describe('RouterService: usage-based routing reads the limit counters', () => {
  it('asks the usage reader, picks the least used, and has admission count usage only for that strategy', async () => {
    const { router, resolver } = setup('  routing_strategy: usage-based-routing\n');
    const counted: boolean[] = [];
    router.setAdmission((_t, countUsage) => {
      counted.push(countUsage === true);
      return undefined;
    });
    let reads = 0;
    router.setUsageReader(async (targets) => {
      reads++;
      return new Map(targets.map((t) => [deploymentKey(t), { tpm: t.deploymentId === 'b' ? 0 : 100, rpm: 1 }]));
    });
    const done = await router.execute(resolver.resolve('grp', 'chat'), async (t) => t.deploymentId, options());
    expect(done.result).toBe('b');
    expect(reads).toBe(1);
    expect(counted).toEqual([true]);

    const plain = setup('');
    plain.router.setAdmission((_t, countUsage) => {
      counted.push(countUsage === true);
      return undefined;
    });
    plain.router.setUsageReader(async () => {
      throw new Error('not read for simple-shuffle');
    });
    await plain.router.execute(plain.resolver.resolve('grp', 'chat'), async (t) => t.deploymentId, options());
    expect(counted).toEqual([true, false]);
  });

  it('a content-policy refusal is not retried and goes to content_policy_fallbacks', async () => {
    const { router, resolver } = setup('  num_retries: 3\n  fallbacks: [{ grp: [backup] }]\n', 'a backup');
    const refusal = new GatewayError(ErrorCode.UpstreamRejected, 'Upstream provider openai returned 400: filtered', {
      upstreamStatus: 400,
      upstreamCode: 'content_policy_violation',
    });
    const seen: string[] = [];
    const err = await router
      .execute(resolver.resolve('grp', 'chat'), async (t) => {
        seen.push(t.deploymentId);
        throw refusal;
      }, options())
      .catch((e: unknown) => e);
    expect(err).toBe(refusal);
    expect(seen).toEqual(['a']);

    const withPolicy = setup('  num_retries: 3\n  content_policy_fallbacks: [{ grp: [backup] }]\n', 'a backup');
    const done = await withPolicy.router.execute(withPolicy.resolver.resolve('grp', 'chat'), async (t) => {
      if (t.deploymentId === 'a') throw refusal;
      return t.deploymentId;
    }, options());
    expect(done.fallback).toBe('backup');
  });
});
