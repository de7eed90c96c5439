import { Module } from '@nestjs/common';
import { KeysModule } from '../keys/keys.module.js';
import { SpendLogsController } from './spend-logs.controller.js';
import { SpendLogsRepository } from './spend-logs.repository.js';
import { SpendLogsService } from './spend-logs.service.js';
import { SpendWriterService } from './spend-writer.service.js';

/** Spend: batched log/spend writes and GET /spend/logs. */
@Module({
  imports: [KeysModule],
  controllers: [SpendLogsController],
  providers: [SpendLogsRepository, SpendWriterService, SpendLogsService],
  exports: [SpendWriterService],
})
export class SpendModule {}
