import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import type { GatewayOptions } from './config/gateway-options.js';

export interface ListenOptions {
  readonly port: number;
  readonly host: string;
}

/** Builds the application. Shared by main.ts and the e2e tests, so tests run the real wiring. */
export async function createApp(options: GatewayOptions, logger: false | undefined = undefined): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(options), {
    bodyParser: false,
    logger: logger === false ? false : ['log', 'warn', 'error'],
  });
  app.disable('x-powered-by');
  app.disable('etag');
  app.enableShutdownHooks();
  return app;
}
