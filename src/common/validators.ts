import { registerDecorator, ValidationOptions } from 'class-validator';

/** Passes when the value is one of the listed JSON kinds (null counts only when listed). */
export function IsJsonKind(kinds: ('string' | 'array' | 'object' | 'null' | 'number' | 'boolean')[], options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isJsonKind',
      target: object.constructor,
      propertyName,
      options: { message: `must be ${kinds.join(' or ')}`, ...options },
      validator: {
        validate(value: unknown) {
          if (value === undefined) return true;
          const kind = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
          return (kinds as string[]).includes(kind);
        },
      },
    });
}
