/**
 * The one error hierarchy. Every error a client may see is an AppError with a status below 500 and
 * `expose: true`; the HTTP error middleware turns it into the documented DRF body. Matching uses the
 * `isAppError` brand, not `instanceof`, so two bundled copies of this module still agree.
 */
export type ErrorBody = Record<string, unknown>;

const BRAND = 'ventroom.AppError';

export class AppError extends Error {
  readonly brand = BRAND;
  readonly status: number;
  readonly expose: boolean;
  readonly body: ErrorBody;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    body: ErrorBody,
    options: { cause?: unknown; headers?: Record<string, string>; message?: string } = {},
  ) {
    super(options.message ?? JSON.stringify(body), { cause: options.cause });
    this.name = new.target.name;
    this.status = status;
    this.expose = status < 500;
    this.body = body;
    this.headers = options.headers ?? {};
  }
}

export function isAppError(error: unknown): error is AppError {
  return typeof error === 'object' && error !== null && (error as { brand?: unknown }).brand === BRAND;
}

/** DRF's `{"field": ["message", ...]}` shape. */
export class ValidationError extends AppError {
  constructor(readonly fields: Record<string, string[]>, options: { cause?: unknown } = {}) {
    super(400, fields, options);
  }
}

/** A 400 with a free-form body, for endpoints whose contract documents a non-DRF error body. */
export class BadRequestError extends AppError {
  constructor(body: ErrorBody, options: { cause?: unknown } = {}) {
    super(400, body, options);
  }
}

export class NotAuthenticatedError extends AppError {
  constructor(detail = 'Authentication credentials were not provided.', options: { cause?: unknown } = {}) {
    super(401, { detail }, { ...options, headers: { 'www-authenticate': 'Bearer realm="api"' } });
  }
}

export class PermissionDeniedError extends AppError {
  constructor(detail = 'You do not have permission to perform this action.') {
    super(403, { detail });
  }
}

export class NotFoundError extends AppError {
  constructor(detail = 'Not found.') {
    super(404, { detail });
  }
}

export class MethodNotAllowedError extends AppError {
  constructor(method: string, allowed: string[]) {
    super(405, { detail: `Method "${method}" not allowed.` }, { headers: { allow: allowed.join(', ') } });
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(contentType: string) {
    super(415, { detail: `Unsupported media type "${contentType}" in request.` });
  }
}

export class ThrottledError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super(
      429,
      { detail: `Request was throttled. Expected available in ${retryAfterSeconds} seconds.` },
      { headers: { 'retry-after': String(retryAfterSeconds) } },
    );
  }
}

/** A failure of ours (or of a dependency). Never exposed: the client sees the generic 500 body. */
export class InternalError extends AppError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(500, { detail: 'Internal server error. Please try again later.' }, { ...options, message });
  }
}

export const INTERNAL_ERROR_BODY = { detail: 'Internal server error. Please try again later.' } as const;
