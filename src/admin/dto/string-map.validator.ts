import { registerDecorator } from 'class-validator';

export interface StringMapLimits {
  maxEntries: number;
  maxKeyLength: number;
  maxValueLength: number;
}

/** A flat JSON object of string values (extra_headers), bounded in size. */
export function IsStringMap(limits: StringMapLimits) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isStringMap',
      target: object.constructor,
      propertyName,
      options: {
        message: `must be an object of at most ${limits.maxEntries} string values (keys up to ${limits.maxKeyLength}, values up to ${limits.maxValueLength} characters)`,
      },
      validator: {
        validate(value: unknown) {
          if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
          const entries = Object.entries(value);
          return (
            entries.length <= limits.maxEntries &&
            entries.every(([k, v]) => k.length > 0 && k.length <= limits.maxKeyLength && typeof v === 'string' && v.length <= limits.maxValueLength)
          );
        },
      },
    });
}
