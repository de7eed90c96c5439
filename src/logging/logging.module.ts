import { DynamicModule, Global, Module } from '@nestjs/common';
import type { ServerOptions } from '../config/server-options.js';
import { AppLogger } from './app-logger.service.js';
import { createPinoLogger } from './create-logger.js';

@Global()
@Module({})
export class LoggingModule {
  /** Level 'silent' (embedded tests) keeps a logger that does nothing, so callers never need a null check. */
  static forRoot(server: ServerOptions | undefined): DynamicModule {
    const level = server?.logLevel ?? 'info';
    return {
      module: LoggingModule,
      providers: [{ provide: AppLogger, useFactory: () => new AppLogger(createPinoLogger(level, server?.logDestination)) }],
      exports: [AppLogger],
    };
  }
}
