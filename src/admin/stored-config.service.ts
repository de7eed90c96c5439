import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ConfigError, ConfigIssue } from '../config/config-error.js';
import { normalizeModelEntry, validateModelEntry } from '../config/config-loader.js';
import { ConfigRegistryService, EMPTY_STORED_LAYER, PendingTable, StoredLayer } from '../config/config-registry.service.js';
import type { AliasConfig, DeploymentConfig, GatewayConfig } from '../config/config.types.js';
import { resolveEnvRefs } from '../config/env-ref.js';
import type { StoredAlias } from '../store/aliases.repository.js';
import { AliasesRepository } from '../store/aliases.repository.js';
import type { StoredModel } from '../store/models.repository.js';
import { ModelsRepository } from '../store/models.repository.js';
import { AdminEnvRefPolicy } from './admin-env-refs.js';
import { validated } from './config-error-mapping.js';

export interface StoredState {
  readonly models: ReadonlyMap<string, StoredModel>;
  readonly aliases: ReadonlyMap<string, StoredAlias>;
}

export const ALLOW_FILE_EDITS_ENV = 'SWITCHBOARD_ALLOW_FILE_MODEL_EDITS';

/**
 * Owns the store's contribution to the live config. Every change follows one sequence, under one
 * lock: build the would-be table (start-up validation rules; a ConfigError becomes a 400 naming the
 * field), persist, then swap the registry's table in one assignment. A failed validation or a
 * failed write leaves both the store and the serving table untouched.
 */
@Injectable()
export class StoredConfigService implements OnModuleInit {
  private readonly logger = new Logger('Admin');
  private state: StoredState = { models: new Map(), aliases: new Map() };
  private tail: Promise<unknown> = Promise.resolve();
  private readonly writeListeners: (() => void)[] = [];
  private readonly reportedRefs = new Set<string>();

  constructor(
    private readonly registry: ConfigRegistryService,
    private readonly modelsRepo: ModelsRepository,
    private readonly aliasesRepo: AliasesRepository,
  ) {}

  /** Start-up: stored models and aliases are served before the first request. */
  async onModuleInit(): Promise<void> {
    await this.reloadFromStore();
  }

  get current(): StoredState {
    return this.state;
  }

  get fileConfig(): GatewayConfig {
    return this.registry.fileConfig;
  }

  fileEditsAllowed(): boolean {
    const env = process.env[ALLOW_FILE_EDITS_ENV];
    return this.registry.config.general.allowFileModelEdits === true || env === '1' || env === 'true';
  }

  /**
   * Re-reads every stored row and swaps the table. Used at start-up, and the hook for replicas
   * that learn another instance changed the store. Throws ConfigError when the stored entries no
   * longer fit the file config (start-up then fails with the entry named).
   */
  async reloadFromStore(): Promise<void> {
    await this.exclusive(async () => {
      const [models, aliases] = await Promise.all([this.modelsRepo.list(), this.aliasesRepo.list()]);
      const next: StoredState = { models: new Map(models.map((m) => [m.id, m])), aliases: new Map(aliases.map((a) => [a.name, a])) };
      for (const m of models) {
        if (m.apiKeyError) this.logger.error(`stored model '${m.id}': ${m.apiKeyError}`);
      }
      const pending = this.registry.build({ stored: this.layerOf(next) });
      this.registry.commit(pending);
      this.state = next;
      if (models.length || aliases.length) this.logger.log(`loaded ${models.length} model(s) and ${aliases.length} alias(es) from the store`);
    });
  }

  /**
   * Applies one change: `next` is the whole would-be stored state, `persist` writes the delta.
   * Validation errors surface as 400 GatewayErrors; nothing is persisted or served on failure.
   */
  async apply<T>(change: (state: StoredState) => { next: StoredState; persist: () => Promise<void>; result: () => T }): Promise<T> {
    return this.exclusive(async () => {
      const { next, persist, result } = change(this.state);
      const pending = validated(() => this.registry.build({ stored: this.layerOf(next) }));
      await persist();
      this.commit(pending, next);
      for (const listener of this.writeListeners) listener();
      return result();
    });
  }

  /** Runs after every successful admin write (not after reloads): replication tells the other replicas. */
  onStoredWrite(listener: () => void): void {
    this.writeListeners.push(listener);
  }

  /** Re-reads the config file and swaps it in under the stored layer (POST /config/reload). */
  async replaceFile(file: GatewayConfig): Promise<PendingTable> {
    return this.exclusive(async () => {
      const pending = validated(() => this.registry.build({ file }));
      this.registry.commit(pending);
      return pending;
    });
  }

  /** Which `os.environ/` references admin writes may make, given the current config file. */
  envRefPolicy(): AdminEnvRefPolicy {
    return new AdminEnvRefPolicy(this.registry.fileConfig);
  }

  /** Validates one stored model on its own (shape + normalisation) — the same rules as a file entry. */
  toDeployment(model: StoredModel): DeploymentConfig {
    const entry = { model_name: model.modelName, litellm_params: model.litellmParams, model_info: { ...model.modelInfo, id: model.id } };
    const { value: resolved } = resolveEnvRefs(entry, this.envFor(model, entry));
    const issues: ConfigIssue[] = validateModelEntry(resolved, '');
    if (issues.length) throw new ConfigError(issues);
    const deployment = normalizeModelEntry(resolved as Record<string, unknown>, entry, 'db');
    // Without this the request would go out with no key at all: an opaque 401 from the provider.
    return model.apiKeyError ? { ...deployment, apiKeyUnreadable: true } : deployment;
  }

  /**
   * Writes are checked against the policy, but a row may predate it, or the file may since have
   * dropped the reference that allowed it: such a reference stays unresolved (the deployment
   * answers that its key is not set) rather than reading the variable.
   */
  private envFor(model: StoredModel, entry: unknown): NodeJS.ProcessEnv {
    const refused = this.envRefPolicy().issues(entry);
    if (refused.length === 0) return process.env;
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const issue of refused) {
      delete env[issue.name];
      const note = `stored model '${model.id}': ${issue.path}: ${issue.message}; left unresolved`;
      if (!this.reportedRefs.has(note)) {
        this.reportedRefs.add(note);
        this.logger.error(note);
      }
    }
    return env;
  }

  private layerOf(state: StoredState): StoredLayer {
    if (state.models.size === 0 && state.aliases.size === 0) return EMPTY_STORED_LAYER;
    const models: DeploymentConfig[] = [];
    const hiddenModelIds = new Set<string>();
    for (const m of state.models.values()) {
      if (m.deleted) hiddenModelIds.add(m.id);
      else models.push(this.toDeployment(m));
    }
    const aliases: Record<string, AliasConfig> = {};
    const hiddenAliases = new Set<string>();
    for (const a of state.aliases.values()) {
      if (a.deleted || a.target === undefined) hiddenAliases.add(a.name);
      else aliases[a.name] = { target: a.target, hidden: a.hidden };
    }
    return { models, hiddenModelIds, aliases, hiddenAliases };
  }

  private commit(pending: PendingTable, next: StoredState): void {
    this.registry.commit(pending);
    this.state = next;
  }

  /** Admin writes are rare; serialising them keeps validate → persist → swap free of races. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }
}
