import { Inject, Injectable, Logger } from '@nestjs/common';
import { RoutingTable } from '../routing/routing-table.js';
import { GatewayConfig } from './config.types.js';
import { GATEWAY_OPTIONS } from './gateway-options.js';
import type { GatewayOptions } from './gateway-options.js';

type Listener = (table: RoutingTable) => void;

/**
 * Holds the live routing table. Changes build a complete new table first and then swap one
 * reference, so in-flight requests finish on the table they started with and the next request
 * sees the new one — never a half-applied state.
 */
@Injectable()
export class ConfigRegistryService {
  private readonly logger = new Logger('Config');
  private current: RoutingTable;
  private readonly listeners: Listener[] = [];

  constructor(@Inject(GATEWAY_OPTIONS) readonly options: GatewayOptions) {
    this.current = RoutingTable.compile(options.loaded.config);
    for (const w of options.loaded.warnings) this.logger.warn(w);
  }

  get table(): RoutingTable {
    return this.current;
  }

  get config(): GatewayConfig {
    return this.current.config;
  }

  /** Validates and applies a whole new config; throws ConfigError and keeps the old one on failure. */
  replace(config: GatewayConfig): RoutingTable {
    const next = RoutingTable.compile(config);
    this.current = next;
    for (const l of this.listeners) l(next);
    return next;
  }

  onChange(listener: Listener): void {
    this.listeners.push(listener);
  }
}
