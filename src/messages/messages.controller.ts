import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Inference } from '../auth/auth.decorators.js';
import { OpenAiBodyPipe } from '../common/openai-body.pipe.js';
import { requestContext } from '../common/request-context.js';
import type { GatewayRequest } from '../common/request-context.js';
import { writeResult } from '../common/result-writer.js';
import { forwardedAnthropicHeaders } from '../providers/anthropic/anthropic-messages.js';
import { CountTokensRequestDto, MessagesRequestDto } from './dto/messages-request.dto.js';
import { MessagesService } from './messages.service.js';
import { ApiTags } from '@nestjs/swagger';
import { ApiInferenceRoute, streamingOk } from '../openapi/openapi.decorators.js';

/** The Anthropic Messages API, inbound (Claude Code, Anthropic SDKs). Errors take Anthropic's shape in the filter. */
@ApiTags('inference')
@Inference()
@Controller()
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  @ApiInferenceRoute({
    summary: 'Anthropic Messages API',
    description: 'Native to Anthropic deployments, translated for every other provider. JSON, or server-sent events with `stream: true`. Errors take the Anthropic shape.',
    body: MessagesRequestDto,
    shape: 'anthropic',
    ok: streamingOk('A message object, or message_* / content_block_* events'),
  })
  @Post(['v1/messages', 'messages'])
  @HttpCode(200)
  async create(
    @Body(new OpenAiBodyPipe(MessagesRequestDto)) body: MessagesRequestDto & Record<string, unknown>,
    @Req() req: GatewayRequest,
    @Res() res: Response,
  ): Promise<void> {
    await writeResult(res, await this.messages.create(body, forwardedAnthropicHeaders(req.headers), requestContext(req, res)));
  }

  @ApiInferenceRoute({
    summary: 'Count the input tokens of a Messages request',
    body: CountTokensRequestDto,
    shape: 'anthropic',
  })
  @Post(['v1/messages/count_tokens', 'messages/count_tokens'])
  @HttpCode(200)
  async countTokens(
    @Body(new OpenAiBodyPipe(CountTokensRequestDto)) body: CountTokensRequestDto & Record<string, unknown>,
    @Req() req: GatewayRequest,
    @Res() res: Response,
  ): Promise<void> {
    await writeResult(res, await this.messages.countTokens(body, forwardedAnthropicHeaders(req.headers), requestContext(req, res)));
  }
}
