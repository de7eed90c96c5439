import { Module } from '@nestjs/common';
import { RoutingModule } from '../routing/routing.module.js';
import { MessagesController } from './messages.controller.js';
import { MessagesService } from './messages.service.js';

@Module({
  imports: [RoutingModule],
  controllers: [MessagesController],
  providers: [MessagesService],
})
export class MessagesModule {}
