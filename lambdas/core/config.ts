import * as z from 'zod/mini';

/**
 * Reads and checks a slice of configuration from the environment. Each module that needs settings
 * calls this at module scope, so a function checks exactly the settings its bundle uses, once, at
 * cold start, and fails loudly there instead of on the first request that needs one.
 *
 * Schemas come from `zod/mini` (the functional build): full `zod` is ~440 KB of every bundle and
 * ~25 ms of every cold start, `zod/mini` ~20 KB and ~3 ms (docs/benchmarks.md). Shapes written
 * with either build are accepted.
 */
export function readEnv<T extends z.core.$ZodLooseShape>(shape: T): z.infer<z.ZodMiniObject<T>> {
  const parsed = z.object(shape).safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** Records a failed check inside a transform (zod/mini hands transforms the parse payload). */
export function addIssue(ctx: z.core.ParsePayload, message: string): never {
  ctx.issues.push({ code: 'custom', message, input: ctx.value });
  return z.NEVER as never;
}

/** A required, non-empty setting. */
export const envString = () => z.string().check(z.minLength(1));

/** A required setting holding a URL. */
export const envUrl = () => z.url();

/** A setting that may be missing. */
export const envOptional = () => z.optional(z.string());

/** A non-empty setting with a default when missing. */
export const envDefault = (fallback: string) => z._default(envString(), fallback);

/** An environment flag: "true"/"1" are on, anything else (or unset) is the default. */
export const envFlag = (fallback: boolean) =>
  z.pipe(
    z.optional(z.string()),
    z.transform((value: string | undefined) => (value === undefined || value === '' ? fallback : value === 'true' || value === '1')),
  );

export const envInt = (fallback: number) =>
  z.pipe(
    z.optional(z.string()),
    z.transform((value: string | undefined, ctx): number => {
      if (value === undefined || value === '') return fallback;
      const n = Number(value);
      if (!Number.isInteger(n)) return addIssue(ctx, `expected an integer, got "${value}"`);
      return n;
    }),
  );
