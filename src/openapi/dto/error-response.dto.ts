import { ApiProperty, ApiSchema } from '@nestjs/swagger';

@ApiSchema({ name: 'Error', description: 'What went wrong; `code` and `type` are stable, `message` is for people.' })
export class ErrorDetailDto {
  @ApiProperty({ example: "The model 'gpt-5' does not exist or is not configured on this gateway." }) message!: string;
  @ApiProperty({
    example: 'invalid_request_error',
    description: 'invalid_request_error, authentication_error, permission_error, rate_limit_error, api_error, timeout_error, or an upstream type passed on',
  })
  type!: string;
  @ApiProperty({ type: String, nullable: true, example: 'model', description: 'The request field at fault, when there is one.' }) param!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'model_not_found' }) code!: string | null;
}

/** The OpenAI error body: every failure on every route except /v1/messages. */
@ApiSchema({ name: 'ErrorResponse', description: 'Every failure (never with status 200).' })
export class ErrorResponseDto {
  @ApiProperty({ type: ErrorDetailDto }) error!: ErrorDetailDto;
}

@ApiSchema({ name: 'AnthropicErrorDetail' })
export class AnthropicErrorDetailDto {
  @ApiProperty({ example: 'not_found_error' }) type!: string;
  @ApiProperty() message!: string;
}

/** The Anthropic error body, used on /v1/messages and /v1/messages/count_tokens. */
@ApiSchema({ name: 'AnthropicErrorResponse', description: 'Failures on the Anthropic Messages routes, with the same statuses as elsewhere.' })
export class AnthropicErrorResponseDto {
  @ApiProperty({ enum: ['error'] }) type!: 'error';
  @ApiProperty({ type: AnthropicErrorDetailDto }) error!: AnthropicErrorDetailDto;
}
