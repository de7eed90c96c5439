import { Injectable } from '@nestjs/common';
import { ConfigRegistryService } from '../config/config-registry.service.js';
import { SecretBox } from './secret-box.js';

export const SALT_KEY_ENV = 'SWITCHBOARD_SALT_KEY';

/**
 * Hands out the SecretBox for secrets at rest. SWITCHBOARD_SALT_KEY is preferred because it
 * survives a master-key rotation; without it the master key is used, so rotating the master
 * key makes stored api_keys unreadable (they must be re-entered).
 */
@Injectable()
export class StoreSecretsService {
  private cached?: { secret: string; box: SecretBox };

  constructor(private readonly registry: ConfigRegistryService) {}

  /** Undefined when neither SWITCHBOARD_SALT_KEY nor a master key is configured. */
  box(): SecretBox | undefined {
    const secret = process.env[SALT_KEY_ENV] || this.registry.config.general.masterKey;
    if (!secret) return undefined;
    if (this.cached?.secret !== secret) this.cached = { secret, box: new SecretBox(secret) };
    return this.cached.box;
  }
}
