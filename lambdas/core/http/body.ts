import busboy from 'busboy';
import { BadRequestError, UnsupportedMediaTypeError } from '../errors.ts';

export interface UploadedFile {
  fieldName: string;
  filename: string;
  /** What the client declared; never trusted alone (media.ts sniffs the bytes). */
  declaredType: string;
  data: Buffer;
}

export interface ParsedBody {
  /** The payload as the client sent it: JSON keeps its types (and may not even be an object), forms give strings. */
  fields: unknown;
  files: UploadedFile[];
  /** Whether the body was JSON (typed values) or a form (everything a string). */
  kind: 'json' | 'form' | 'empty';
}

export interface BodyLimits {
  /** Largest accepted file; one byte more is a 400 on the file's field. */
  maxFileBytes: number;
  maxFiles: number;
}

const EMPTY: ParsedBody = { fields: {}, files: [], kind: 'empty' };

function rawBody(body: string | undefined, isBase64Encoded: boolean | undefined): Buffer {
  if (body === undefined || body === null) return Buffer.alloc(0);
  return isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
}

function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/** The payload of a JSON body; DRF's wording for a body that is not JSON. */
export function parseJson(bytes: Buffer): unknown {
  const text = bytes.toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BadRequestError({ detail: `JSON parse error - ${(error as Error).message}` }, { cause: error });
  }
}

function parseMultipart(bytes: Buffer, contentType: string, limits: BodyLimits): Promise<ParsedBody> {
  return new Promise((resolve, reject) => {
    const fields: Record<string, unknown> = {};
    const files: UploadedFile[] = [];
    let failure: Error | undefined;
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: { 'content-type': contentType },
        // busboy reports reaching its limit, so allow one byte more and judge the size ourselves.
        limits: { fileSize: limits.maxFileBytes + 1, files: limits.maxFiles, fields: 50, fieldSize: 1024 * 1024, parts: 60 },
        defParamCharset: 'utf8',
      });
    } catch (error) {
      reject(new BadRequestError({ detail: `Multipart form parse error - ${(error as Error).message}` }, { cause: error }));
      return;
    }
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('file', (fieldName, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('close', () => {
        const data = Buffer.concat(chunks);
        if (data.length > limits.maxFileBytes) {
          failure ??= new BadRequestError({
            [fieldName]: [`File too large. The largest file accepted here is ${limits.maxFileBytes} bytes; use a presigned upload for larger files.`],
          });
          return;
        }
        files.push({ fieldName, filename: info.filename ?? '', declaredType: info.mimeType ?? '', data });
      });
    });
    parser.on('filesLimit', () => {
      failure ??= new BadRequestError({ detail: `At most ${limits.maxFiles} file(s) may be uploaded per request.` });
    });
    parser.on('error', (error: Error) => {
      reject(new BadRequestError({ detail: `Multipart form parse error - ${error.message}` }, { cause: error }));
    });
    parser.on('close', () => {
      if (failure) reject(failure);
      else resolve({ fields, files, kind: 'form' });
    });
    parser.end(bytes);
  });
}

/**
 * Decodes an HTTP API v2.0 body the way DRF's parsers would: JSON, multipart or urlencoded forms.
 * Anything else is a 415.
 */
export async function parseBody(
  event: { body?: string; isBase64Encoded?: boolean; headers?: Record<string, string | undefined> },
  limits: BodyLimits,
): Promise<ParsedBody> {
  const bytes = rawBody(event.body, event.isBase64Encoded);
  const contentType = event.headers?.['content-type'];
  if (bytes.length === 0) return EMPTY;
  const mediaType = mediaTypeOf(contentType);
  if (mediaType === 'application/json' || mediaType.endsWith('+json') || mediaType === '') {
    return { fields: parseJson(bytes), files: [], kind: 'json' };
  }
  if (mediaType === 'multipart/form-data') return parseMultipart(bytes, contentType!, limits);
  if (mediaType === 'application/x-www-form-urlencoded') {
    return { fields: Object.fromEntries(new URLSearchParams(bytes.toString('utf8'))), files: [], kind: 'form' };
  }
  throw new UnsupportedMediaTypeError(mediaType);
}
