import { Injectable, PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { GatewayError } from './gateway-error.js';

/**
 * Validates an inference body against its DTO but hands the controller the original object:
 * fields the DTO does not model (new OpenAI parameters) must reach the upstream untouched.
 */
@Injectable()
export class OpenAiBodyPipe implements PipeTransform {
  constructor(private readonly dto: new () => object) {}

  transform(value: unknown): unknown {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw GatewayError.invalid('The request body must be a JSON object.');
    }
    const errors = validateSync(plainToInstance(this.dto, value) as object, {
      forbidUnknownValues: false,
      stopAtFirstError: true,
      validationError: { target: false, value: false },
    });
    if (errors.length > 0) {
      const { path, message } = firstError(errors, '');
      throw GatewayError.invalid(`Invalid '${path}': ${message}.`, path);
    }
    return value;
  }
}

function firstError(errors: ValidationError[], prefix: string): { path: string; message: string } {
  const e = errors[0];
  const path = /^\d+$/.test(e.property) ? `${prefix}[${e.property}]` : prefix ? `${prefix}.${e.property}` : e.property;
  if (e.constraints) {
    const message = Object.values(e.constraints)[0].replace(/^[\w.[\]]+ /, '');
    return { path, message };
  }
  return e.children?.length ? firstError(e.children, path) : { path, message: 'is invalid' };
}
