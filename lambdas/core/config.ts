import { z } from 'zod';

/**
 * Reads and checks a slice of configuration from the environment. Each module that needs settings
 * calls this at module scope, so a function checks exactly the settings its bundle uses, once, at
 * cold start, and fails loudly there instead of on the first request that needs one.
 */
export function readEnv<T extends z.ZodRawShape>(shape: T): z.infer<z.ZodObject<T>> {
  const parsed = z.object(shape).safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** An environment flag: "true"/"1" are on, anything else (or unset) is the default. */
export const envFlag = (fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((value) => (value === undefined || value === '' ? fallback : value === 'true' || value === '1'));

export const envInt = (fallback: number) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return fallback;
      const n = Number(value);
      if (!Number.isInteger(n)) {
        ctx.addIssue({ code: 'custom', message: `expected an integer, got "${value}"` });
        return z.NEVER;
      }
      return n;
    });
