import type { RedisService } from '../redis/redis.service.js';
import type { KeyCacheService } from '../keys/key-cache.service.js';
import type { SpendWriterService } from '../spend/spend-writer.service.js';
import type { DeploymentTarget } from '../routing/routing-table.js';
import { deploymentKey } from '../routing/routing-strategy.js';
import { LimitsService } from './limits.service.js';
import { RateLimitService } from './rate-limit.service.js';

/** In-memory counters (no Redis): the ones usage-based routing reads are the ones the limits count. */
function service(): LimitsService {
  const counters = new RateLimitService({ client: undefined, prefix: 'test:' } as unknown as RedisService);
  return new LimitsService(counters, { get: () => undefined } as unknown as KeyCacheService, {} as SpendWriterService);
}

function target(id: string, settings: Partial<DeploymentTarget['settings']> = {}): DeploymentTarget {
  return {
    group: 'g',
    deploymentId: id,
    provider: 'openai',
    upstreamModel: 'm',
    apiBase: 'http://127.0.0.1:1/v1',
    credentials: {},
    settings: { extraHeaders: {}, useChatForResponses: false, modelInfo: {}, ...settings },
    deployment: {} as DeploymentTarget['deployment'],
  };
}

describe('LimitsService: deployment usage for usage-based routing', () => {
  it('counts requests and tokens of deployments without limits only when asked to', async () => {
    const limits = service();
    const [free, tracked] = [target('free'), target('tracked')];
    expect(await limits.admitDeployment(free)).toBeUndefined();
    limits.tokensUsed(undefined, free, 50);
    expect(await limits.admitDeployment(tracked, true)).toBeUndefined();
    expect(await limits.admitDeployment(tracked, true)).toBeUndefined();
    limits.tokensUsed(undefined, tracked, 70);
    await new Promise((r) => setImmediate(r));
    const usage = await limits.deploymentUsage([free, tracked]);
    expect(usage.get(deploymentKey(free))).toEqual({ tpm: 0, rpm: 0 });
    expect(usage.get(deploymentKey(tracked))).toEqual({ tpm: 70, rpm: 2 });
  });

  it('reads the same counters the rpm/tpm limits count, and the limit still refuses', async () => {
    const limits = service();
    const capped = target('capped', { rpm: 2, tpm: 1000 });
    expect(await limits.admitDeployment(capped, true)).toBeUndefined();
    limits.tokensUsed(undefined, capped, 30);
    expect(await limits.admitDeployment(capped, true)).toBeUndefined();
    await new Promise((r) => setImmediate(r));
    expect((await limits.deploymentUsage([capped])).get(deploymentKey(capped))).toEqual({ tpm: 30, rpm: 2 });
    expect(await limits.admitDeployment(capped, true)).toMatchObject({ headers: { 'x-ratelimit-limit-requests': '2' } });
  });
});
