import { Injectable, Logger } from '@nestjs/common';
import type { Caller } from '../../auth/caller.js';
import { ConfigRegistryService } from '../../config/config-registry.service.js';
import type { JsonObject } from '../../providers/provider-adapter.js';
import { RedisService } from '../../redis/redis.service.js';
import { ConversationStore, keptOutput } from './conversation-store.js';
import { ConversationTurn } from './conversation-turn.js';
import { MemoryConversationStore } from './memory-conversation-store.js';
import { RedisConversationStore } from './redis-conversation-store.js';

export const DEFAULT_RESPONSES_STORE_TTL_SEC = 3600;

/**
 * The conversation state of bridged responses: in Redis when REDIS_URL is set (any replica can
 * continue any conversation), else in this process. Kept for general_settings.responses_store_ttl
 * seconds, read at each save so a config reload applies to the responses created after it.
 */
@Injectable()
export class ConversationStoreService {
  private readonly logger = new Logger('ResponsesStore');
  readonly store: ConversationStore;

  constructor(
    redis: RedisService,
    private readonly registry: ConfigRegistryService,
  ) {
    this.store = redis.client ? new RedisConversationStore(redis.client, redis.prefix) : new MemoryConversationStore();
  }

  turn(request: JsonObject, caller: Caller): ConversationTurn {
    return new ConversationTurn(request, caller, this.store);
  }

  /**
   * Keeps a finished bridged response so that later requests can continue it. The answer is
   * already paid for: when it cannot be kept (too large, Redis failing) the client still gets
   * it, marked `store: false` so that it is honest about not being continuable.
   */
  async remember(turn: ConversationTurn, input: readonly JsonObject[], response: JsonObject, requestId: string): Promise<JsonObject> {
    if (!turn.keep || typeof response.id !== 'string' || !Array.isArray(response.output)) return response;
    let kept = false;
    try {
      kept = await this.store.save({ id: response.id, owner: turn.owner, input, output: keptOutput(response.output as JsonObject[]) }, this.ttlMs);
      if (!kept) this.logger.warn(`request ${requestId}: response ${response.id} not stored: larger than the store allows`);
    } catch (err) {
      const reason = (err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message;
      this.logger.warn(`request ${requestId}: response ${response.id} not stored: ${reason}`);
    }
    return kept ? response : { ...response, store: false };
  }

  get ttlMs(): number {
    return (this.registry.config.general.responsesStoreTtlSec ?? DEFAULT_RESPONSES_STORE_TTL_SEC) * 1000;
  }
}
