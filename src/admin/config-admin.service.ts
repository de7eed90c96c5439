import { Injectable, Logger } from '@nestjs/common';
import { GatewayError } from '../common/gateway-error.js';
import { ConfigError } from '../config/config-error.js';
import { readConfigFile } from '../config/config-loader.js';
import { ConfigRegistryService } from '../config/config-registry.service.js';
import { configErrorToGateway } from './config-error-mapping.js';
import { StoredConfigService } from './stored-config.service.js';

/** POST /config/reload: the file is re-read and swapped in under the stored entries, all or nothing. */
@Injectable()
export class ConfigAdminService {
  private readonly logger = new Logger('Admin');

  constructor(
    private readonly registry: ConfigRegistryService,
    private readonly stored: StoredConfigService,
  ) {}

  async reload(): Promise<{ status: 'ok'; config_path: string; models: number; aliases: number; warnings: string[] }> {
    const path = this.registry.options.configPath;
    if (!path) throw GatewayError.invalid('The gateway was started without a config file; there is nothing to reload.');
    let loaded;
    try {
      loaded = readConfigFile(path);
    } catch (err) {
      if (err instanceof ConfigError) throw configErrorToGateway(err);
      throw err;
    }
    const pending = await this.stored.replaceFile(loaded.config);
    for (const w of loaded.warnings) this.logger.warn(w);
    this.logger.log(`config reloaded from ${path}`);
    return {
      status: 'ok',
      config_path: path,
      models: pending.table.config.models.length,
      aliases: Object.keys(pending.table.config.aliases).length,
      warnings: loaded.warnings,
    };
  }
}
