import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../lambdas/core/errors.ts';
import { choice, integer, text, validate } from '../../lambdas/core/validation.ts';

function errorsOf(run: () => unknown): Record<string, string[]> {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error.fields;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('DRF-like field validation', () => {
  const shape = { title: text({ max: 5, required: false, allowBlank: true }), content: text({ max: 10 }), n: integer({ required: false }), kind: choice(['a', 'b'] as const, { required: false }) };

  it('reports every failing field with DRF messages', () => {
    expect(errorsOf(() => validate(shape, { title: 'toolong', n: 'x', kind: 'c' }))).toEqual({
      title: ['Ensure this field has no more than 5 characters.'],
      content: ['This field is required.'],
      n: ['A valid integer is required.'],
      kind: ['"c" is not a valid choice.'],
    });
  });

  it('counts characters as code points, like Python', () => {
    expect(validate(shape, { title: '🙂🙂🙂🙂🙂', content: 'x' }).title).toBe('🙂🙂🙂🙂🙂');
  });

  it('turns numbers into strings as DRF CharField does, and refuses objects, booleans, NUL and lone surrogates', () => {
    expect(validate(shape, { content: 12 }).content).toBe('12');
    expect(errorsOf(() => validate(shape, { content: true }))).toEqual({ content: ['Not a valid string.'] });
    expect(errorsOf(() => validate(shape, { content: ['x'] }))).toEqual({ content: ['Not a valid string.'] });
    expect(errorsOf(() => validate(shape, { content: 'a\u0000' }))).toEqual({ content: ['Null characters are not allowed.'] });
    expect(errorsOf(() => validate(shape, { content: 'a\u001b[2J' }))).toEqual({ content: ['Control characters are not allowed.'] });
    expect(errorsOf(() => validate(shape, { content: 'del\u007f' }))).toEqual({ content: ['Control characters are not allowed.'] });
    expect(validate(shape, { content: 'a\tb\nc\r' }).content).toBe('a\tb\nc\r');
    expect(errorsOf(() => validate(shape, { content: '\udc00' }))).toEqual({ content: ['Invalid unicode: the text contains a lone surrogate.'] });
    expect(errorsOf(() => validate(shape, { content: null }))).toEqual({ content: ['This field may not be null.'] });
  });

  it('accepts integers as numbers or digit strings only', () => {
    expect(validate(shape, { content: 'x', n: '42' }).n).toBe(42);
    expect(validate(shape, { content: 'x', n: 7 }).n).toBe(7);
    for (const bad of [1.5, '1e3', '0x10', true, 2 ** 60]) expect(errorsOf(() => validate(shape, { content: 'x', n: bad }))).toEqual({ n: ['A valid integer is required.'] });
  });

  it('refuses payloads that are not objects', () => {
    expect(errorsOf(() => validate(shape, 'text'))).toEqual({ non_field_errors: ['Invalid data. Expected a dictionary, but got str.'] });
    expect(errorsOf(() => validate(shape, null))).toEqual({ non_field_errors: ['Invalid data. Expected a dictionary, but got NoneType.'] });
  });
});

describe('pathological values (hardening item 5)', () => {
  const shape = { kind: choice(['a', 'b'] as const) };
  const deep = (depth: number): unknown => {
    let value: unknown = 'a';
    for (let i = 0; i < depth; i++) value = [value];
    return value;
  };

  it('a 5,000-deep array in a choice field is a 400 on the field, not a RangeError', () => {
    const errors = errorsOf(() => validate(shape, { kind: deep(5000) }));
    expect(Object.keys(errors)).toEqual(['kind']);
    expect(errors.kind![0]).toMatch(/is not a valid choice\.$/);
  });

  it('an oversized value is named briefly, never echoed whole', () => {
    const errors = errorsOf(() => validate(shape, { kind: Array.from({ length: 100_000 }, (_, i) => i) }));
    expect(errors.kind![0]!.length).toBeLessThan(200);
    expect(errorsOf(() => validate(shape, { kind: 'x'.repeat(100_000) })).kind![0]!.length).toBeLessThan(200);
  });
});
