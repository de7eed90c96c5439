import { Module } from '@nestjs/common';
import { DocsAccessGuard } from './docs-access.guard.js';
import { DocsController } from './docs.controller.js';
import { OpenApiDocsService } from './openapi-docs.service.js';

/** Imported last in AppModule: its routes sit after every API route in the router, off their path. */
@Module({ controllers: [DocsController], providers: [OpenApiDocsService, DocsAccessGuard] })
export class OpenApiModule {}
