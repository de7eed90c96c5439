import { Module } from '@nestjs/common';
import { RoutingModule } from '../routing/routing.module.js';
import { RerankController } from './rerank.controller.js';
import { RerankService } from './rerank.service.js';

@Module({
  imports: [RoutingModule],
  controllers: [RerankController],
  providers: [RerankService],
})
export class RerankModule {}
