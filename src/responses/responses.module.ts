import { Module } from '@nestjs/common';
import { RoutingModule } from '../routing/routing.module.js';
import { ResponsesBridgeService } from './bridge/responses-bridge.service.js';
import { ConversationStoreService } from './conversation/conversation-store.service.js';
import { ResponsesController } from './responses.controller.js';
import { ResponsesService } from './responses.service.js';

@Module({
  imports: [RoutingModule],
  controllers: [ResponsesController],
  providers: [ResponsesService, ResponsesBridgeService, ConversationStoreService],
})
export class ResponsesModule {}
