/**
 * Argument checks shared by the simulators. Internal to `src/simulate/` (not re-exported).
 * Every check throws {@link InvalidArgumentError} naming the option, the value found and what is expected.
 */
import { InvalidArgumentError } from "../core/errors.js";

/**
 * Throws unless `value` is a finite number > 0.
 * @param name - Option name used in the message.
 * @param value - The value to check (any unit).
 * @returns Nothing.
 * @throws InvalidArgumentError naming the option, the value found and the expected range, with a hint.
 * Notes: internal to src/simulate; messages follow the project's "found / expected / what to do" rule.
 * @see src/core/errors.ts
 */
export function requirePositive(name: string, value: number, hint?: string): void {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new InvalidArgumentError(`${name} is ${value}; expected a finite number > 0.`, hint ?? `Pass a positive value for ${name}.`);
  }
}

/**
 * Throws unless `value` is a finite number ≥ 0.
 * @param name - Option name used in the message.
 * @param value - The value to check (any unit).
 * @returns Nothing.
 * @throws InvalidArgumentError naming the option, the value found and the expected range, with a hint.
 * Notes: internal to src/simulate; messages follow the project's "found / expected / what to do" rule.
 * @see src/core/errors.ts
 */
export function requireNonNegative(name: string, value: number, hint?: string): void {
  if (!(Number.isFinite(value) && value >= 0)) {
    throw new InvalidArgumentError(`${name} is ${value}; expected a finite number ≥ 0.`, hint ?? `Pass zero or a positive value for ${name}.`);
  }
}

/**
 * Throws unless `value` is a finite number.
 * @param name - Option name used in the message.
 * @param value - The value to check (any unit).
 * @returns Nothing.
 * @throws InvalidArgumentError naming the option, the value found and the expected range, with a hint.
 * Notes: internal to src/simulate; messages follow the project's "found / expected / what to do" rule.
 * @see src/core/errors.ts
 */
export function requireFinite(name: string, value: number, hint?: string): void {
  if (!Number.isFinite(value)) {
    throw new InvalidArgumentError(`${name} is ${value}; expected a finite number.`, hint ?? `Pass a finite value for ${name}.`);
  }
}

/**
 * Throws unless `value` is an integer in [min, max].
 * @param name - Option name used in the message.
 * @param value - The value to check.
 * @returns Nothing.
 * @throws InvalidArgumentError naming the option, the value found and the expected range, with a hint.
 * Notes: internal to src/simulate; messages follow the project's "found / expected / what to do" rule.
 * @see src/core/errors.ts
 */
export function requireInteger(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER, hint?: string): void {
  if (!(Number.isInteger(value) && value >= min && value <= max)) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in [${min}, ${max}]`;
    throw new InvalidArgumentError(`${name} is ${value}; expected an integer ${range}.`, hint ?? `Pass a whole number ${range} for ${name}.`);
  }
}

/**
 * Throws unless min ≤ value ≤ max (finite).
 * @param name - Option name used in the message.
 * @param value - The value to check.
 * @returns Nothing.
 * @throws InvalidArgumentError naming the option, the value found and the expected range, with a hint.
 * Notes: internal to src/simulate; messages follow the project's "found / expected / what to do" rule.
 * @see src/core/errors.ts
 */
export function requireInRange(name: string, value: number, min: number, max: number, hint?: string): void {
  if (!(Number.isFinite(value) && value >= min && value <= max)) {
    throw new InvalidArgumentError(`${name} is ${value}; expected a number in [${min}, ${max}].`, hint ?? `Pass a value between ${min} and ${max} for ${name}.`);
  }
}

/**
 * Checks an image shape [nz, ny, nx] (or [ny, nx]) of positive integers.
 * @param name - Option name used in the message.
 * @param shape - The shape, pixels.
 * @returns Nothing.
 * @throws InvalidArgumentError naming the option, the value found and the expected range, with a hint.
 * Notes: internal to src/simulate; messages follow the project's "found / expected / what to do" rule.
 * @see src/core/errors.ts
 */
export function requireShape(name: string, shape: readonly number[], length: number): void {
  if (shape.length !== length || !shape.every((n) => Number.isInteger(n) && n >= 1)) {
    const order = length === 3 ? "[nz, ny, nx]" : "[ny, nx]";
    throw new InvalidArgumentError(
      `${name} is [${shape.join(", ")}]; expected ${length} positive integers ${order}.`,
      `Give the image size as ${order} in pixels, each ≥ 1.`,
    );
  }
}

/**
 * Checks a voxel/pixel size tuple of positive finite numbers.
 * @param name - Option name used in the message.
 * @param size - The sizes, µm.
 * @returns Nothing.
 * @throws InvalidArgumentError naming the option, the value found and the expected range, with a hint.
 * Notes: internal to src/simulate; messages follow the project's "found / expected / what to do" rule.
 * @see src/core/errors.ts
 */
export function requireVoxelSize(name: string, size: readonly number[], length: number): void {
  if (size.length !== length || !size.every((d) => Number.isFinite(d) && d > 0)) {
    const order = length === 3 ? "[dz, dy, dx]" : "[dy, dx]";
    throw new InvalidArgumentError(
      `${name} is [${size.join(", ")}]; expected ${length} positive sizes in µm ${order}.`,
      `Give the voxel size in µm as ${order}, each > 0.`,
    );
  }
}

/**
 * Checks a tuple of finite numbers of the given length.
 * @param name - Option name used in the message.
 * @param values - The tuple.
 * @returns Nothing.
 * @throws InvalidArgumentError naming the option, the value found and the expected range, with a hint.
 * Notes: internal to src/simulate; messages follow the project's "found / expected / what to do" rule.
 * @see src/core/errors.ts
 */
export function requireFiniteTuple(name: string, values: readonly number[], length: number, order: string): void {
  if (values.length !== length || !values.every((d) => Number.isFinite(d))) {
    throw new InvalidArgumentError(`${name} is [${values.join(", ")}]; expected ${length} finite numbers ${order}.`, `Pass ${name} as ${order}.`);
  }
}
