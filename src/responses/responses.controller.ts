import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { Inference } from '../auth/auth.decorators.js';
import type { Response } from 'express';
import { OpenAiBodyPipe } from '../common/openai-body.pipe.js';
import { requestContext } from '../common/request-context.js';
import type { GatewayRequest } from '../common/request-context.js';
import { writeResult } from '../common/result-writer.js';
import { ResponseCreateRequestDto } from './dto/response-create-request.dto.js';
import { ResponsesService } from './responses.service.js';
import { ApiTags } from '@nestjs/swagger';
import { ApiInferenceRoute, streamingOk } from '../openapi/openapi.decorators.js';

@ApiTags('inference')
@Inference()
@Controller()
export class ResponsesController {
  constructor(private readonly responses: ResponsesService) {}

  @ApiInferenceRoute({
    summary: 'Responses API',
    description: 'Native where the provider has it, translated to Chat Completions otherwise. JSON, or server-sent events with `stream: true`.',
    body: ResponseCreateRequestDto,
    ok: streamingOk('A response object, or response.* events'),
  })
  @Post(['v1/responses', 'responses'])
  @HttpCode(200)
  async create(
    @Body(new OpenAiBodyPipe(ResponseCreateRequestDto)) body: ResponseCreateRequestDto & Record<string, unknown>,
    @Req() req: GatewayRequest,
    @Res() res: Response,
  ): Promise<void> {
    await writeResult(res, await this.responses.create(body, requestContext(req, res)));
  }
}
