import { Injectable, PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { ErrorCode, GatewayError } from '../common/gateway-error.js';

/** Admin payloads are small; anything bigger is a mistake or an attack. */
export const ADMIN_BODY_LIMIT_BYTES = 64 * 1024;

/**
 * Strict validation for admin bodies — the opposite of the inference pipe: a field the DTO does
 * not declare is rejected with 400 (never stored, never silently dropped). Returns the original
 * plain object once it has passed.
 */
@Injectable()
export class AdminBodyPipe implements PipeTransform {
  constructor(private readonly dto: new () => object) {}

  transform(value: unknown): unknown {
    if (value === null || value === undefined || typeof value !== 'object' || Array.isArray(value)) {
      throw GatewayError.invalid('The request body must be a JSON object.');
    }
    if (Buffer.byteLength(JSON.stringify(value), 'utf8') > ADMIN_BODY_LIMIT_BYTES) {
      throw new GatewayError(ErrorCode.PayloadTooLarge, `Admin request bodies are limited to ${ADMIN_BODY_LIMIT_BYTES} bytes.`);
    }
    const errors = validateSync(plainToInstance(this.dto, value) as object, {
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
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
    if (e.constraints.whitelistValidation) return { path, message: 'unknown field (admin endpoints accept only documented fields)' };
    const message = Object.values(e.constraints)[0].replace(/^[\w.[\]]+ /, '');
    return { path, message };
  }
  return e.children?.length ? firstError(e.children, path) : { path, message: 'is invalid' };
}
