import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, ValidationTypes } from 'class-validator';
import type { ValidationArguments, ValidatorConstraintInterface } from 'class-validator';

/** True when the plain body surely passes the DTO's validation; false means "ask validateSync". */
export type FastCheck = (body: Record<string, unknown>) => boolean;

type Validate = (object: Record<string, unknown>, value: unknown) => boolean;

interface PropertyCheck {
  readonly name: string;
  readonly conditions: ((object: object, value: unknown) => boolean)[];
  readonly validators: Validate[];
  /** Element check for @ValidateNested over an array. */
  readonly nested?: FastCheck;
}

/**
 * Compiles a DTO's class-validator metadata into a direct check, so the DTO stays the single
 * source of truth without paying for class-transformer's deep copy and class-validator's
 * per-call metadata lookups and error objects on every request (≈18 µs for 2 messages, ≈390 µs
 * for 100 in the benchmark microprofile). It calls each constraint's own validate(), so
 * built-in and custom decorators mean exactly what they mean to validateSync.
 *
 * It only ever answers "valid" when validateSync would find no error; any failure, or any
 * shape it does not model (arrays of arrays, nested objects that are not arrays), answers
 * false and the caller runs validateSync for the exact message. Returns undefined when the
 * DTO uses a feature not modelled here (groups, async or IsDefined constraints, `each` on a
 * plain constraint): the caller then always uses validateSync.
 */
export function compileFastCheck(dto: new () => object): FastCheck | undefined {
  return compile(dto, new Set());
}

function compile(dto: new () => object, seen: Set<unknown>): FastCheck | undefined {
  if (seen.has(dto)) return undefined; // recursive DTOs: not modelled
  seen.add(dto);
  const storage = getMetadataStorage();
  const metadatas = storage.getTargetValidationMetadatas(dto, '', false, false, undefined);
  if (metadatas.length === 0) return undefined;
  const byName = new Map<string, PropertyCheck>();
  for (const m of metadatas) {
    if (m.groups?.length || m.always) return undefined;
    let p = byName.get(m.propertyName);
    if (!p) {
      p = { name: m.propertyName, conditions: [], validators: [] };
      byName.set(m.propertyName, p);
    }
    switch (m.type) {
      case ValidationTypes.CONDITIONAL_VALIDATION:
        p.conditions.push(m.constraints[0] as (object: object, value: unknown) => boolean);
        break;
      case ValidationTypes.CUSTOM_VALIDATION: {
        if (m.each) return undefined;
        const validateIf = (m as { validateIf?: (object: object, value: unknown) => boolean }).validateIf;
        for (const c of storage.getTargetValidatorConstraints(m.constraintCls)) {
          if (c.async) return undefined;
          const instance = c.instance as ValidatorConstraintInterface;
          const { propertyName, constraints } = m;
          p.validators.push((object, value) => {
            if (validateIf && !validateIf(object, value)) return true;
            const args: ValidationArguments = { targetName: dto.name, property: propertyName, object, value, constraints };
            return instance.validate(value, args) === true;
          });
        }
        break;
      }
      case ValidationTypes.NESTED_VALIDATION: {
        // The element class comes from class-transformer's @Type, learnt through its public API.
        const probe = plainToInstance(dto, { [m.propertyName]: [{}] }) as Record<string, unknown>;
        const element = (probe[m.propertyName] as unknown[] | undefined)?.[0] as object | undefined;
        const elementClass = element?.constructor as (new () => object) | undefined;
        if (!elementClass || elementClass === Object || p.nested) return undefined;
        const nested = compile(elementClass, seen);
        if (!nested) return undefined;
        (p as { nested?: FastCheck }).nested = nested;
        break;
      }
      default:
        return undefined; // IS_DEFINED, WHITELIST, PROMISE_VALIDATION, …
    }
  }
  const properties = [...byName.values()];
  return (object) => {
    for (const p of properties) {
      const value = object[p.name];
      let applies = true;
      for (const condition of p.conditions) applies &&= condition(object, value);
      if (!applies) continue;
      for (const validate of p.validators) if (!validate(object, value)) return false;
      if (p.nested && value !== undefined) {
        if (!Array.isArray(value)) return false;
        for (const element of value) {
          if (element === null || typeof element !== 'object' || Array.isArray(element)) return false;
          if (!p.nested(element as Record<string, unknown>)) return false;
        }
      }
    }
    return true;
  };
}
