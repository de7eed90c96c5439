import { Injectable } from '@nestjs/common';
import { isEnvRef } from '../config/env-ref.js';
import { mergeSealedParams, sealedPaths, splitSecretParams } from './model-secrets.js';
import type { SealedParams } from './model-secrets.js';
import { StoreSecretsService } from './store-secrets.service.js';
import { StoreService } from './store.service.js';
import type { ModelsTable } from './store.types.js';

/**
 * A model as stored: litellm_params carries the decrypted api_key, api_base and extra_headers
 * (memory only, never returned).
 */
export interface StoredModel {
  readonly id: string;
  readonly modelName: string;
  readonly litellmParams: Readonly<Record<string, unknown>>;
  readonly modelInfo: Readonly<Record<string, unknown>>;
  /** A tombstone hiding the config-file model with this id. */
  readonly deleted: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Set when the stored api_key could not be decrypted (salt/master key changed). */
  readonly apiKeyError?: string;
  /** Set when the sealed api_base / extra_headers could not be decrypted; litellm_params then holds their masked forms. */
  readonly secretsError?: string;
  /** Fields an older version stored in clear that are sealed now; they are sealed on the next write. */
  readonly clearSecrets?: readonly string[];
}

export type StoredModelInput = Omit<StoredModel, 'createdAt' | 'updatedAt' | 'apiKeyError' | 'secretsError' | 'clearSecrets'>;

@Injectable()
export class ModelsRepository {
  constructor(
    private readonly store: StoreService,
    private readonly secrets: StoreSecretsService,
  ) {}

  async list(): Promise<StoredModel[]> {
    await this.store.ready();
    const rows = await this.store.db.selectFrom('models').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map((r) => this.fromRow(r));
  }

  async get(id: string): Promise<StoredModel | undefined> {
    await this.store.ready();
    const row = await this.store.db.selectFrom('models').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? this.fromRow(row) : undefined;
  }

  /** Inserts or replaces the row; keeps created_at of an existing row. */
  async upsert(model: StoredModelInput): Promise<void> {
    await this.store.ready();
    const now = new Date().toISOString();
    const { api_key: apiKey, ...rest } = model.litellmParams as Record<string, unknown>;
    const { clear: params, sealed } = splitSecretParams(rest);
    let apiKeyEnc: string | null = null;
    if (typeof apiKey === 'string' && apiKey) {
      if (isEnvRef(apiKey)) {
        params.api_key = apiKey; // a reference to the environment is not a secret
      } else {
        apiKeyEnc = this.requireBox('api_key').seal(apiKey, sealContext(model.id));
      }
    }
    const secretsEnc = sealed ? this.requireBox(sealedPaths(sealed).join(', ')).seal(JSON.stringify(sealed), secretsContext(model.id)) : null;
    const values = {
      model_name: model.modelName,
      litellm_params: JSON.stringify(params),
      api_key_enc: apiKeyEnc,
      secrets_enc: secretsEnc,
      model_info: JSON.stringify({ ...model.modelInfo, id: model.id }),
      deleted: model.deleted ? 1 : 0,
      updated_at: now,
    };
    await this.store.db
      .insertInto('models')
      .values({ id: model.id, created_at: now, ...values })
      .onConflict((oc) => oc.column('id').doUpdateSet(values))
      .execute();
  }

  /** Returns whether a row existed. */
  async delete(id: string): Promise<boolean> {
    await this.store.ready();
    const result = await this.store.db.deleteFrom('models').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  private requireBox(what: string) {
    const box = this.secrets.box();
    if (!box) throw new Error(`no encryption key for ${what} (set SWITCHBOARD_SALT_KEY or a master key)`);
    return box;
  }

  /** A sealed value, or why it cannot be opened (the row is still served, marked misconfigured). */
  private open(sealed: string, context: string, what: string): { value: string } | { error: string } {
    try {
      const box = this.secrets.box();
      if (!box) throw new Error('no encryption key configured');
      return { value: box.open(sealed, context) };
    } catch (err) {
      return { error: `stored ${what} cannot be decrypted (${(err as Error).message}); was SWITCHBOARD_SALT_KEY or the master key changed?` };
    }
  }

  private fromRow(row: ModelsTable): StoredModel {
    let params = JSON.parse(row.litellm_params) as Record<string, unknown>;
    let secretsError: string | undefined;
    let clearSecrets: string[] | undefined;
    if (row.secrets_enc) {
      const opened = this.open(row.secrets_enc, secretsContext(row.id), 'api_base / extra_headers credentials');
      if ('value' in opened) params = mergeSealedParams(params, JSON.parse(opened.value) as SealedParams);
      else secretsError = opened.error;
    } else {
      const paths = sealedPaths(splitSecretParams(params).sealed);
      if (paths.length) clearSecrets = paths;
    }
    let apiKeyError: string | undefined;
    if (row.api_key_enc) {
      const opened = this.open(row.api_key_enc, sealContext(row.id), 'api_key');
      if ('value' in opened) params.api_key = opened.value;
      else apiKeyError = opened.error;
    }
    return {
      id: row.id,
      modelName: row.model_name,
      litellmParams: params,
      modelInfo: JSON.parse(row.model_info) as Record<string, unknown>,
      deleted: row.deleted === 1,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      apiKeyError,
      secretsError,
      clearSecrets,
    };
  }
}

function sealContext(id: string): string {
  return `models.api_key:${id}`;
}

function secretsContext(id: string): string {
  return `models.secrets:${id}`;
}
