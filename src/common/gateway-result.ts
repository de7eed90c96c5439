import type { JsonObject, SseEvent } from '../providers/provider-adapter.js';
import type { SseFlavour } from './sse.js';

/** What an endpoint service hands back to its controller: a JSON body, or an event stream. */
export type GatewayResult =
  | { readonly kind: 'json'; readonly body: JsonObject; readonly headers: Readonly<Record<string, string>> }
  | {
      readonly kind: 'sse';
      readonly flavour: SseFlavour;
      readonly events: AsyncIterable<SseEvent>;
      readonly headers: Readonly<Record<string, string>>;
    };
