import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { ErrorCode, GatewayError } from '../common/gateway-error.js';
import { ConfigError } from '../config/config-error.js';
import { ConfigRegistryService } from '../config/config-registry.service.js';
import { isEnvRef } from '../config/env-ref.js';
import type { DeploymentConfig } from '../config/config.types.js';
import { ModelResolutionService } from '../routing/model-resolution.service.js';
import type { Endpoint } from '../routing/model-resolution.service.js';
import { ModelsRepository } from '../store/models.repository.js';
import type { StoredModel } from '../store/models.repository.js';
import { sealedPaths, splitSecretParams } from '../store/model-secrets.js';
import { StoreSecretsService } from '../store/store-secrets.service.js';
import { configErrorToGateway } from './config-error-mapping.js';
import { restoreMaskedSecrets } from './masked-secrets.js';
import type { NewModelDto, PatchModelDto } from './dto/model.dto.js';
import { NEW_MODEL_ID_PATTERN, NEW_MODEL_ID_RULE } from './dto/model.dto.js';
import { fileParamsForOverride, ModelView, renderModel, renderResolution, ResolveView } from './model-view.js';
import { StoredConfigService, StoredState } from './stored-config.service.js';

const ENDPOINTS: readonly Endpoint[] = ['chat', 'responses', 'embeddings', 'messages', 'rerank'];

export interface ModelGroupView {
  model_group: string;
  is_wildcard: boolean;
  providers: string[];
  deployment_ids: string[];
  aliases: string[];
  mode?: unknown;
}

/** Models over REST: create, merge-update, delete, list, and the routing dry-run. */
@Injectable()
export class ModelAdminService {
  private readonly logger = new Logger('Admin');

  constructor(
    private readonly stored: StoredConfigService,
    private readonly registry: ConfigRegistryService,
    private readonly resolver: ModelResolutionService,
    private readonly modelsRepo: ModelsRepository,
    private readonly secrets: StoreSecretsService,
  ) {}

  async create(dto: NewModelDto): Promise<ModelView> {
    const id = dto.model_info?.id ?? randomUUID();
    if (!NEW_MODEL_ID_PATTERN.test(id)) throw GatewayError.invalid(`Invalid 'model_info.id': ${NEW_MODEL_ID_RULE}.`, 'model_info.id');
    // Nothing stored yet for a mask to stand for: a masked-looking credential is refused.
    restoreMaskedSecrets(dto.litellm_params as Record<string, unknown>);
    this.checkSecretsStorable(dto.litellm_params as Record<string, unknown>);
    this.checkEnvRefs(dto);
    const view = await this.stored.apply((state) => {
      if (this.deployment(id) || state.models.has(id)) {
        throw GatewayError.invalid(`A model with id '${id}' already exists; use /model/update to change it.`, 'model_info.id');
      }
      const now = new Date().toISOString();
      const model: StoredModel = {
        id,
        modelName: dto.model_name,
        litellmParams: withoutNulls(dto.litellm_params as Record<string, unknown>),
        modelInfo: { ...withoutNulls(storableInfo(dto.model_info)), id },
        deleted: false,
        createdAt: now,
        updatedAt: now,
      };
      return this.change(state, model, () => this.modelsRepo.upsert(model));
    });
    this.logger.log(`model '${id}' created (model_name '${dto.model_name}')`);
    return view;
  }

  /** Merges into an existing model: given litellm_params / model_info keys replace, null removes. */
  async update(id: string, dto: PatchModelDto): Promise<ModelView> {
    if (dto.model_info?.id !== undefined && dto.model_info.id !== id) {
      throw GatewayError.invalid(`model_info.id cannot be changed (target '${id}', body '${dto.model_info.id}').`, 'model_info.id');
    }
    this.checkSecretsStorable(dto.litellm_params as Record<string, unknown> | undefined);
    this.checkEnvRefs(dto);
    const view = await this.stored.apply((state) => {
      const base = this.editableBase(id, state);
      // Against the base this write merges into, so a mask stands for the value it was read from.
      const sent = dto.litellm_params ? restoreMaskedSecrets(dto.litellm_params as Record<string, unknown>, base) : {};
      checkUndecryptableResent(base, dto);
      const now = new Date().toISOString();
      const model: StoredModel = {
        id,
        modelName: dto.model_name ?? base.modelName,
        litellmParams: withoutNulls({ ...base.litellmParams, ...sent }),
        modelInfo: { ...withoutNulls({ ...base.modelInfo, ...storableInfo(dto.model_info) }), id },
        deleted: false,
        createdAt: base.createdAt,
        updatedAt: now,
      };
      return this.change(state, model, () => this.modelsRepo.upsert(model));
    });
    this.logger.log(`model '${id}' updated`);
    return view;
  }

  async delete(id: string): Promise<{ message: string; id: string }> {
    await this.stored.apply((state) => {
      const live = this.deployment(id);
      const storedRow = state.models.get(id);
      if (!live && !storedRow) throw notFound(id);
      const fromFile = this.stored.fileConfig.models.some((m) => m.id === id);
      const models = new Map(state.models);
      if (fromFile) {
        this.requireFileEdits(id);
        // A tombstone hides the file entry; deleting the row would bring the file model back.
        const now = new Date().toISOString();
        const tomb: StoredModel = {
          id,
          modelName: live?.modelName ?? storedRow!.modelName,
          litellmParams: {},
          modelInfo: { id },
          deleted: true,
          createdAt: storedRow?.createdAt ?? now,
          updatedAt: now,
        };
        models.set(id, tomb);
        return { next: { ...state, models }, persist: () => this.modelsRepo.upsert(tomb), result: () => undefined };
      }
      models.delete(id);
      return { next: { ...state, models }, persist: async () => void (await this.modelsRepo.delete(id)), result: () => undefined };
    });
    this.logger.log(`model '${id}' deleted`);
    return { message: `Model ${id} deleted.`, id };
  }

  info(id?: string): { data: ModelView[] } {
    const models = this.registry.config.models.filter((m) => id === undefined || m.id === id);
    if (id !== undefined && models.length === 0) throw notFound(id);
    return { data: models.map((m) => this.view(m)) };
  }

  groupInfo(group?: string): { data: ModelGroupView[] } {
    const table = this.registry.table;
    const byGroup = new Map<string, DeploymentConfig[]>();
    for (const m of this.registry.config.models) byGroup.set(m.modelName, [...(byGroup.get(m.modelName) ?? []), m]);
    const aliases = table.aliasEntries();
    const data: ModelGroupView[] = [];
    for (const [name, deployments] of byGroup) {
      if (group !== undefined && name !== group) continue;
      const targets = table.groupTargets(name) ?? [];
      const mode = deployments.find((d) => d.modelInfo.mode !== undefined)?.modelInfo.mode;
      data.push({
        model_group: name,
        is_wildcard: name.includes('*'),
        providers: [...new Set(targets.map((t) => t.provider))],
        deployment_ids: deployments.map((d) => d.id),
        aliases: aliases.filter(([, a]) => a.target === name).map(([alias]) => alias),
        ...(mode !== undefined ? { mode } : {}),
      });
    }
    if (group !== undefined && data.length === 0) throw GatewayError.modelNotFound(group);
    return { data };
  }

  /** The dry-run: the very ModelResolutionService.resolve() call a request makes, on one table snapshot. */
  resolve(model: string | undefined, endpoint: string | undefined): ResolveView {
    if (typeof model !== 'string' || model.length === 0) throw GatewayError.invalid("Query parameter 'model' is required.", 'model');
    const ep = (endpoint ?? 'chat') as Endpoint;
    if (!ENDPOINTS.includes(ep)) throw GatewayError.invalid(`Query parameter 'endpoint' must be one of ${ENDPOINTS.join(', ')}.`, 'endpoint');
    const table = this.registry.table;
    const resolution = this.resolver.resolve(model, ep, undefined, table);
    const last = resolution.aliasChain[resolution.aliasChain.length - 1];
    const matchedName = last === undefined ? model : (table.alias(last)?.target ?? model);
    return renderResolution(resolution, ep, !table.hasGroup(resolution.group), matchedName);
  }

  private change(state: StoredState, model: StoredModel, persist: () => Promise<void>) {
    const models = new Map(state.models);
    models.set(model.id, model);
    return {
      next: { ...state, models },
      persist,
      result: () => this.view(this.deployment(model.id)!),
    };
  }

  /** What an update merges into: the stored row, or (when allowed) the file entry it will override. */
  private editableBase(id: string, state: StoredState): StoredModel {
    const storedRow = state.models.get(id);
    if (storedRow && !storedRow.deleted) return storedRow;
    const fileModel = this.stored.fileConfig.models.find((m) => m.id === id);
    if (!fileModel || storedRow?.deleted) throw notFound(id);
    this.requireFileEdits(id);
    const now = new Date().toISOString();
    return {
      id,
      modelName: fileModel.modelName,
      litellmParams: fileParamsForOverride(fileModel),
      modelInfo: { ...fileModel.modelInfo, id },
      deleted: false,
      createdAt: now,
      updatedAt: now,
    };
  }

  private requireFileEdits(id: string): void {
    if (!this.stored.fileEditsAllowed()) {
      throw GatewayError.invalid(
        `Model '${id}' comes from the config file and is read-only over REST. Edit the file and POST /config/reload, ` +
          'or set general_settings.allow_file_model_edits: true (or SWITCHBOARD_ALLOW_FILE_MODEL_EDITS=true) to allow overrides.',
        'id',
      );
    }
  }

  /** Credentials are only stored sealed; without an encryption key they are refused, not kept in clear. */
  private checkSecretsStorable(params: Readonly<Record<string, unknown>> | undefined): void {
    if (!params || this.secrets.box()) return;
    const apiKey = params.api_key;
    const paths = typeof apiKey === 'string' && apiKey && !isEnvRef(apiKey) ? ['litellm_params.api_key'] : [];
    paths.push(...sealedPaths(splitSecretParams(params).sealed));
    if (paths.length === 0) return;
    throw GatewayError.invalid(
      `Cannot store a literal credential in ${paths[0]}: no encryption key. Set SWITCHBOARD_SALT_KEY (or a master key), or pass it as os.environ/NAME.`,
      paths[0],
    );
  }

  /**
   * Only what the body carries is checked: on an update, the fields it keeps were checked when
   * they were written (or come from the file).
   */
  private checkEnvRefs(dto: NewModelDto | PatchModelDto): void {
    const issues = this.stored.envRefPolicy().issues(dto);
    if (issues.length) throw configErrorToGateway(new ConfigError(issues));
  }

  private deployment(id: string): DeploymentConfig | undefined {
    return this.registry.config.models.find((m) => m.id === id);
  }

  private view(d: DeploymentConfig): ModelView {
    const storedRow = d.source === 'db' ? this.stored.current.models.get(d.id) : undefined;
    const editable = d.source === 'db' || this.stored.fileEditsAllowed();
    return renderModel(d, storedRow, editable);
  }
}

function notFound(id: string): GatewayError {
  return new GatewayError(ErrorCode.RouteNotFound, `No model with id '${id}'.`, { param: 'id' });
}

/**
 * A stored credential that cannot be decrypted is held in memory only as its mask (or not at
 * all): merging an update into it would seal the mask as the real value and hide the problem.
 * The update has to bring those fields itself (null removes them).
 */
function checkUndecryptableResent(base: StoredModel, dto: PatchModelDto): void {
  const sent = (dto.litellm_params ?? {}) as Record<string, unknown>;
  const needed = [...(base.apiKeyError ? ['api_key'] : []), ...(base.secretsError ? ['api_base', 'extra_headers'] : [])];
  const missing = needed.filter((field) => sent[field] === undefined);
  if (missing.length === 0) return;
  throw GatewayError.invalid(
    `Model '${base.id}' has stored credentials that cannot be decrypted (was SWITCHBOARD_SALT_KEY or the master key changed?). ` +
      `Send ${missing.map((f) => `litellm_params.${f}`).join(' and ')} again in this update (null removes ${missing.length > 1 ? 'them' : 'it'}), or restore the previous key.`,
    `litellm_params.${missing[0]}`,
  );
}

/** Fields of model_info that GET /model/info computes; sent back, they are ignored. */
const READ_ONLY_MODEL_INFO = ['db_model', 'source', 'editable', 'created_at', 'updated_at', 'misconfigured'] as const;

function storableInfo(info: object | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(info ?? {}) };
  for (const k of READ_ONLY_MODEL_INFO) delete out[k];
  return out;
}

function withoutNulls(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== null && v !== undefined) out[k] = v;
  return out;
}
