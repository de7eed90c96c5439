import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Inference } from '../auth/auth.decorators.js';
import { OpenAiBodyPipe } from '../common/openai-body.pipe.js';
import { requestContext } from '../common/request-context.js';
import type { GatewayRequest } from '../common/request-context.js';
import { writeResult } from '../common/result-writer.js';
import { RerankRequestDto } from './dto/rerank-request.dto.js';
import { RerankService } from './rerank.service.js';
import { ApiTags } from '@nestjs/swagger';
import { ApiInferenceRoute } from '../openapi/openapi.decorators.js';

/** LiteLLM serves rerank on all three paths; clients written for Cohere's SDK use /v2/rerank. */
@ApiTags('inference')
@Inference()
@Controller()
export class RerankController {
  constructor(private readonly rerank: RerankService) {}

  @ApiInferenceRoute({ summary: 'Rerank documents against a query (Cohere shape)', body: RerankRequestDto })
  @Post(['v1/rerank', 'rerank', 'v2/rerank'])
  @HttpCode(200)
  async create(
    @Body(new OpenAiBodyPipe(RerankRequestDto)) body: RerankRequestDto & Record<string, unknown>,
    @Req() req: GatewayRequest,
    @Res() res: Response,
  ): Promise<void> {
    await writeResult(res, await this.rerank.create(body, requestContext(req, res)));
  }
}
