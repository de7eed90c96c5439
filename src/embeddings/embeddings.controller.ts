import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { Inference } from '../auth/auth.decorators.js';
import type { Response } from 'express';
import { OpenAiBodyPipe } from '../common/openai-body.pipe.js';
import { requestContext } from '../common/request-context.js';
import type { GatewayRequest } from '../common/request-context.js';
import { writeResult } from '../common/result-writer.js';
import { EmbeddingRequestDto } from './dto/embedding-request.dto.js';
import { EmbeddingsService } from './embeddings.service.js';
import { ApiTags } from '@nestjs/swagger';
import { ApiInferenceRoute } from '../openapi/openapi.decorators.js';

@ApiTags('inference')
@Inference()
@Controller()
export class EmbeddingsController {
  constructor(private readonly embeddings: EmbeddingsService) {}

  @ApiInferenceRoute({ summary: 'Embeddings', body: EmbeddingRequestDto })
  @Post(['v1/embeddings', 'embeddings'])
  @HttpCode(200)
  async create(
    @Body(new OpenAiBodyPipe(EmbeddingRequestDto)) body: EmbeddingRequestDto & Record<string, unknown>,
    @Req() req: GatewayRequest,
    @Res() res: Response,
  ): Promise<void> {
    await writeResult(res, await this.embeddings.create(body, requestContext(req, res)));
  }
}
