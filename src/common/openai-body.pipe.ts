import { Injectable, PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { compileFastCheck, FastCheck } from './fast-validation.js';
import { GatewayError } from './gateway-error.js';

/**
 * Validates an inference body against its DTO but hands the controller the original object:
 * fields the DTO does not model (new OpenAI parameters) must reach the upstream untouched.
 */
@Injectable()
export class OpenAiBodyPipe implements PipeTransform {
  private readonly fastCheck?: FastCheck;

  constructor(private readonly dto: new () => object) {
    this.fastCheck = compileFastCheck(dto);
  }

  transform(value: unknown): unknown {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw GatewayError.invalid('The request body must be a JSON object.');
    }
    // The common case, a valid body, without the deep copy; anything else gets the full report.
    if (this.fastCheck?.(value as Record<string, unknown>)) return value;
    const errors = validateSync(plainToInstance(this.dto, value) as object, {
      forbidUnknownValues: false,
      validationError: { target: false, value: true },
    });
    if (errors.length > 0) {
      const { path, message, missing } = firstError(errors, '');
      throw GatewayError.invalid(missing ? `Missing required parameter: '${path}'.` : `Invalid '${path}': ${message}.`, path);
    }
    return value;
  }
}

/**
 * When a value has the wrong type, every other constraint on it fails too ("must contain no
 * more than 100000 elements" for a missing array); the type is the one worth reporting.
 */
const TYPE_CONSTRAINTS = ['isString', 'isArray', 'isBoolean', 'isNumber', 'isInt', 'isObject', 'isJsonKind', 'isIn'];

function firstError(errors: ValidationError[], prefix: string): { path: string; message: string; missing: boolean } {
  const e = errors[0];
  const path = /^\d+$/.test(e.property) ? `${prefix}[${e.property}]` : prefix ? `${prefix}.${e.property}` : e.property;
  if (e.constraints) {
    if (e.value === undefined) return { path, message: 'is required', missing: true };
    const key = TYPE_CONSTRAINTS.find((k) => k in e.constraints!) ?? Object.keys(e.constraints)[0];
    if (key === 'nestedValidation') return { path, message: 'must be an object', missing: false };
    // class-validator's own messages start with the property name; custom ones do not.
    const raw = e.constraints[key];
    const message = raw.startsWith(`${e.property} `) ? raw.slice(e.property.length + 1) : raw;
    return { path, message, missing: false };
  }
  return e.children?.length ? firstError(e.children, path) : { path, message: 'is invalid', missing: false };
}
