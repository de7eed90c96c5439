import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigRegistryService } from './config-registry.service.js';
import { GATEWAY_OPTIONS, GatewayOptions } from './gateway-options.js';

@Global()
@Module({})
export class ConfigModule {
  static forRoot(options: GatewayOptions): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: GATEWAY_OPTIONS, useValue: options }, ConfigRegistryService],
      exports: [GATEWAY_OPTIONS, ConfigRegistryService],
    };
  }
}
