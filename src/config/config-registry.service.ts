import { Inject, Injectable, Logger } from '@nestjs/common';
import { RoutingTable } from '../routing/routing-table.js';
import { AliasConfig, DeploymentConfig, GatewayConfig } from './config.types.js';
import { GATEWAY_OPTIONS } from './gateway-options.js';
import type { GatewayOptions } from './gateway-options.js';

type Listener = (table: RoutingTable) => void;

/**
 * What the store adds on top of the config file. The DB wins on the same model id / alias name;
 * tombstones hide file entries (only written when the operator allows file edits).
 */
export interface StoredLayer {
  readonly models: readonly DeploymentConfig[];
  readonly hiddenModelIds: ReadonlySet<string>;
  readonly aliases: Readonly<Record<string, AliasConfig>>;
  readonly hiddenAliases: ReadonlySet<string>;
}

export const EMPTY_STORED_LAYER: StoredLayer = { models: [], hiddenModelIds: new Set(), aliases: {}, hiddenAliases: new Set() };

/** A validated, compiled table not yet serving: commit() makes it live. */
export interface PendingTable {
  readonly table: RoutingTable;
  readonly file: GatewayConfig;
  readonly stored: StoredLayer;
}

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

  private file: GatewayConfig;
  private stored: StoredLayer = EMPTY_STORED_LAYER;

  constructor(@Inject(GATEWAY_OPTIONS) readonly options: GatewayOptions) {
    this.file = options.loaded.config;
    this.current = RoutingTable.compile(options.loaded.config);
    for (const w of options.loaded.warnings) this.logger.warn(w);
  }

  get table(): RoutingTable {
    return this.current;
  }

  get config(): GatewayConfig {
    return this.current.config;
  }

  /** The config as read from the file (before store entries are merged in). */
  get fileConfig(): GatewayConfig {
    return this.file;
  }

  get storedLayer(): StoredLayer {
    return this.stored;
  }

  /**
   * Validates and applies a new file config, keeping the stored layer on top; throws ConfigError
   * and keeps the old table on failure.
   */
  replace(config: GatewayConfig): RoutingTable {
    return this.commit(this.build({ file: config }));
  }

  /**
   * Compiles the would-be config (the same validation as start-up) without serving it. Throws
   * ConfigError naming the offending path; nothing changes on failure.
   */
  build(parts: { file?: GatewayConfig; stored?: StoredLayer }): PendingTable {
    const file = parts.file ?? this.file;
    const stored = parts.stored ?? this.stored;
    return { table: RoutingTable.compile(composeConfig(file, stored)), file, stored };
  }

  /** Makes a built table live: one reference swap, so no request sees half of it. */
  commit(pending: PendingTable): RoutingTable {
    this.file = pending.file;
    this.stored = pending.stored;
    this.current = pending.table;
    for (const l of this.listeners) l(pending.table);
    return pending.table;
  }

  onChange(listener: Listener): void {
    this.listeners.push(listener);
  }
}

/** File models and aliases with the stored layer merged in: the DB wins on the same id / name. */
export function composeConfig(file: GatewayConfig, stored: StoredLayer): GatewayConfig {
  if (stored === EMPTY_STORED_LAYER) return file;
  const overrides = new Map(stored.models.map((m) => [m.id, m]));
  const models: DeploymentConfig[] = [];
  for (const m of file.models) {
    if (stored.hiddenModelIds.has(m.id)) continue;
    const override = overrides.get(m.id);
    models.push(override ?? m);
    overrides.delete(m.id);
  }
  models.push(...overrides.values());
  const aliases: Record<string, AliasConfig> = {};
  for (const [name, alias] of Object.entries(file.aliases)) {
    if (!stored.hiddenAliases.has(name)) aliases[name] = alias;
  }
  Object.assign(aliases, stored.aliases);
  return { ...file, models, aliases };
}
