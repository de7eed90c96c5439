import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { Inference } from '../auth/auth.decorators.js';
import type { Response } from 'express';
import { OpenAiBodyPipe } from '../common/openai-body.pipe.js';
import { requestContext } from '../common/request-context.js';
import type { GatewayRequest } from '../common/request-context.js';
import { writeResult } from '../common/result-writer.js';
import { ChatService } from './chat.service.js';
import { ChatCompletionRequestDto } from './dto/chat-completion-request.dto.js';
import { ApiTags } from '@nestjs/swagger';
import { ApiInferenceRoute, streamingOk } from '../openapi/openapi.decorators.js';

@ApiTags('inference')
@Inference()
@Controller()
export class ChatController {
  constructor(private readonly chat: ChatService) {}

  @ApiInferenceRoute({
    summary: 'Chat Completions',
    description: 'JSON, or server-sent events with `stream: true`.',
    body: ChatCompletionRequestDto,
    ok: streamingOk('A chat.completion object, or chat.completion.chunk events'),
  })
  @Post(['v1/chat/completions', 'chat/completions'])
  @HttpCode(200)
  async create(
    @Body(new OpenAiBodyPipe(ChatCompletionRequestDto)) body: ChatCompletionRequestDto & Record<string, unknown>,
    @Req() req: GatewayRequest,
    @Res() res: Response,
  ): Promise<void> {
    await writeResult(res, await this.chat.complete(body, requestContext(req, res)));
  }
}
