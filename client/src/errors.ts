/**
 * The API's errors (Django REST Framework shapes) as typed errors: catch `ApiError` for all of
 * them, or a subclass for one kind.
 */
export type FieldErrorMap = Record<string, string[] | Record<string, string[]>>;

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    /** The parsed response body (or its text when it was not JSON). */
    readonly body: unknown,
    message: string,
  ) {
    super(message);
  }
}

/** 400: `fields` maps each field to its messages (`non_field_errors` for the body as a whole); `detail` for a body that did not parse. */
export class ValidationError extends ApiError {
  override name = 'ValidationError';
  readonly fields: FieldErrorMap;
  readonly detail?: string;
  constructor(body: unknown) {
    const record = (body ?? {}) as Record<string, unknown>;
    const detail = typeof record.detail === 'string' ? record.detail : typeof record.error === 'string' ? record.error : undefined;
    const fields: FieldErrorMap = {};
    for (const [name, value] of Object.entries(record)) if (typeof value === 'object' && value !== null) fields[name] = value as FieldErrorMap[string];
    super(400, body, detail ?? Object.entries(fields).map(([name, messages]) => `${name}: ${JSON.stringify(messages)}`).join('; '));
    this.fields = fields;
    this.detail = detail;
  }
}

/** 401: no token, or a bad or expired one. */
export class AuthenticationError extends ApiError {
  override name = 'AuthenticationError';
}
/** 403: not the owner nor an admin. */
export class PermissionDeniedError extends ApiError {
  override name = 'PermissionDeniedError';
}
/** 404: no such object (or page). */
export class NotFoundError extends ApiError {
  override name = 'NotFoundError';
}
/** 429: try again after `retryAfterSeconds`. */
export class ThrottledError extends ApiError {
  override name = 'ThrottledError';
  constructor(
    body: unknown,
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(429, body, message);
  }
}
/** 5xx: the service failed; safe to retry idempotent calls later. */
export class ServerError extends ApiError {
  override name = 'ServerError';
}

export function errorFor(status: number, body: unknown, headers: Headers): ApiError {
  const detail = typeof (body as { detail?: unknown } | null)?.detail === 'string' ? (body as { detail: string }).detail : undefined;
  const message = detail ?? (typeof (body as { message?: unknown } | null)?.message === 'string' ? (body as { message: string }).message : `HTTP ${status}`);
  switch (status) {
    case 400:
      return new ValidationError(body);
    case 401:
      return new AuthenticationError(status, body, message);
    case 403:
      return new PermissionDeniedError(status, body, message);
    case 404:
      return new NotFoundError(status, body, message);
    case 429: {
      const header = Number(headers.get('retry-after'));
      const fromText = Number(/in (\d+) seconds?/.exec(detail ?? '')?.[1]);
      return new ThrottledError(body, message, Number.isFinite(header) && header > 0 ? header : Number.isFinite(fromText) ? fromText : 1);
    }
    default:
      return status >= 500 ? new ServerError(status, body, message) : new ApiError(status, body, message);
  }
}
