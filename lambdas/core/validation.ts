import * as z from 'zod/mini';
import { addIssue as fail } from './config.ts';
import { ValidationError } from './errors.ts';

/**
 * zod field types that accept and reject exactly what DRF's serializer fields do, with DRF's
 * messages, so 400 bodies read `{"field": ["This field is required."]}` as the apps expect. Built
 * with `zod/mini` (see config.ts for why): compose them with `z.pipe`, `z.optional`, `z.transform`.
 */
export type Field<T> = z.ZodMiniType<T, unknown>;

/** A missing optional field skips its checks (zod only runs a transform for a present key then). */
function optionalUnless<S extends z.ZodMiniType>(required: boolean, schema: S) {
  return required ? schema : z.optional(schema);
}

/**
 * What a field accepts, as JSON Schema, for the generated API description (docs/api/): a field is a
 * transform over `unknown`, which zod's `toJSONSchema` cannot see into, so each field says it here
 * (zod copies a schema's metadata from the global registry into its JSON Schema).
 */
export function documented<S extends z.ZodMiniType>(schema: S, jsonSchema: Record<string, unknown>): S {
  z.globalRegistry.add(schema, jsonSchema);
  return schema;
}

const nullable = (type: string, allowNull: boolean) => (allowNull ? [type, 'null'] : type);

interface TextOptions {
  max: number;
  required?: boolean;
  allowBlank?: boolean;
  allowNull?: boolean;
}

/** C0 controls other than tab and line breaks, and DEL. */
const CONTROL = /[\u0001-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** DRF CharField: numbers become strings; NUL, lone surrogates and over-long text are refused. */
export function text(options: TextOptions & { required: false; allowNull: true }): Field<string | null | undefined>;
export function text(options: TextOptions & { required: false }): Field<string | undefined>;
export function text(options: TextOptions & { allowNull: true }): Field<string | null>;
export function text(options: TextOptions): Field<string>;
export function text({ max, required = true, allowBlank = false, allowNull = false }: TextOptions): Field<string | null | undefined> {
  return optionalUnless(required, documented(z.pipe(z.unknown(), z.transform((value: unknown, ctx) => {
    if (value === undefined) return required ? fail(ctx, 'This field is required.') : undefined;
    if (value === null) return allowNull ? null : fail(ctx, 'This field may not be null.');
    if (typeof value !== 'string' && typeof value !== 'number') return fail(ctx, 'Not a valid string.');
    const result = String(value);
    // Stored text must read back byte for byte: a lone surrogate cannot be encoded as UTF-8.
    if (!result.isWellFormed()) return fail(ctx, 'Invalid unicode: the text contains a lone surrogate.');
    if (result.includes('\u0000')) return fail(ctx, 'Null characters are not allowed.');
    // Other C0 controls and DEL (tab and line breaks are text): JSON escapes each as six bytes, and
    // a page of them could outgrow Lambda's 6 MB response; they are also a terminal/log hazard.
    if (CONTROL.test(result)) return fail(ctx, 'Control characters are not allowed.');
    if (result.trim() === '') return allowBlank ? result : fail(ctx, 'This field may not be blank.');
    if ([...result].length > max) return fail(ctx, `Ensure this field has no more than ${max} characters.`);
    return result;
  })), { type: nullable('string', allowNull), maxLength: max, ...(allowBlank ? {} : { minLength: 1 }) }));
}

/** DRF IntegerField: integers, or strings of digits (forms send strings). */
export function integer(options: { required?: boolean; allowNull?: boolean; min?: number; max?: number } = {}) {
  const { required = true, allowNull = false, min, max } = options;
  return optionalUnless(required, documented(z.pipe(z.unknown(), z.transform((value: unknown, ctx): number | null | undefined => {
    if (value === undefined || (value === '' && !required)) {
      return required ? fail(ctx, 'This field is required.') : undefined;
    }
    if (value === null || value === '' || value === 'null') {
      return allowNull ? null : fail(ctx, 'This field may not be null.');
    }
    const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n)) return fail(ctx, 'A valid integer is required.');
    if (min !== undefined && n < min) return fail(ctx, `Ensure this value is greater than or equal to ${min}.`);
    if (max !== undefined && n > max) return fail(ctx, `Ensure this value is less than or equal to ${max}.`);
    return n;
  })), { type: nullable('integer', allowNull), ...(min === undefined ? {} : { minimum: min }), ...(max === undefined ? {} : { maximum: max }) }));
}

/** How long an echoed value may be in a message: a client's 5 MB array must not come back as a 5 MB error. */
const SHOWN_MAX = 60;

/**
 * A value as an error message echoes it (DRF quotes the input), bounded: JSON for what stringifies,
 * cut to SHOWN_MAX characters; a structure too deep to stringify (JSON.stringify overflows the stack
 * on a few thousand nested arrays) is named by its type instead of failing the request with a 500.
 */
function shown(value: unknown): string {
  let rendered: string;
  try {
    rendered = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    return pythonTypeName(value);
  }
  return rendered.length > SHOWN_MAX ? `${rendered.slice(0, SHOWN_MAX)}…` : rendered;
}

/** DRF ChoiceField. */
export function choice<const T extends string>(choices: readonly T[], options: { required?: boolean; allowNull?: boolean } = {}) {
  const { required = true, allowNull = false } = options;
  return optionalUnless(required, documented(z.pipe(z.unknown(), z.transform((value: unknown, ctx): T | null | undefined => {
    if (value === undefined) return required ? fail(ctx, 'This field is required.') : undefined;
    if (value === null || (value === '' && allowNull)) return allowNull ? null : fail(ctx, 'This field may not be null.');
    if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
    return fail(ctx, `"${shown(value)}" is not a valid choice.`);
  })), { enum: allowNull ? [...choices, null] : [...choices] }));
}

function pythonTypeName(value: unknown): string {
  if (Array.isArray(value)) return 'list';
  if (value === null) return 'NoneType';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'boolean') return 'bool';
  return typeof value;
}

/**
 * Validates a request payload against a shape of DRF-like fields; unknown fields are ignored as DRF
 * ignores them. Every failing field is reported at once.
 */
export function validate<T extends z.core.$ZodLooseShape>(shape: T, input: unknown): z.infer<z.ZodMiniObject<T>> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ValidationError({
      non_field_errors: [`Invalid data. Expected a dictionary, but got ${pythonTypeName(input)}.`],
    });
  }
  const result = z.object(shape).safeParse(input);
  if (result.success) return result.data;
  const fields: Record<string, string[]> = {};
  for (const issue of result.error.issues) {
    const field = issue.path.length > 0 ? String(issue.path[0]) : 'non_field_errors';
    (fields[field] ??= []).push(issue.message);
  }
  throw new ValidationError(fields);
}
