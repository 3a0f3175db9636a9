import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { s3 } from '../../lambdas/core/media.ts';
import { MEDIA_PREFIX } from '../../lambdas/core/media-layout.ts';
import { handler as createPost } from '../../lambdas/http/posts/create.ts';
import { handler as createUpload } from '../../lambdas/http/uploads/create.ts';
import { newUser } from '../support/api.ts';
import { invokeHttp } from '../support/lambda-events.ts';
import { pngOfSize } from '../support/media-samples.ts';

/**
 * Hardening item 6: `adoptUpload` sniffs the first bytes of a presigned upload, then copies it. The
 * presigned URL is still valid in between, so its holder can swap in other bytes of the same length
 * (here: HTML) after the check. The copy must refuse anything but the version that was checked.
 */
const SWAP = 'swap-upload-after-sniff';
afterEach(() => void s3.middlewareStack.remove(SWAP));

function html(size: number): Buffer {
  const page = Buffer.alloc(size, ' ');
  page.write('<html><script>alert(document.cookie)</script>');
  return page;
}

async function mediaKeys(): Promise<string[]> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: process.env.MEDIA_BUCKET, Prefix: MEDIA_PREFIX }));
  return (listed.Contents ?? []).map((object) => object.Key!);
}

describe('a presigned upload swapped between the check and the copy (hardening item 6)', () => {
  it('is refused with a 400 on media_key and nothing of it is stored; an unswapped upload is adopted', async () => {
    const user = await newUser();
    const png = pngOfSize(8 * 1024);
    const upload = await invokeHttp(createUpload, { method: 'POST', path: '/api/ventroom/uploads/', json: { size: png.length }, user });
    expect(upload.status).toBe(201);
    expect((await fetch(upload.body.upload_url, { method: 'PUT', body: new Uint8Array(png) })).status).toBe(200);
    let swapped = false;
    s3.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        // Right after the sniff read its bytes, the attacker PUTs HTML of the signed length.
        if (context.commandName === 'GetObjectCommand' && !swapped) {
          swapped = true;
          expect((await fetch(upload.body.upload_url, { method: 'PUT', body: new Uint8Array(html(png.length)) })).status).toBe(200);
        }
        return result;
      },
      { step: 'initialize', name: SWAP },
    );
    const before = await mediaKeys();
    const created = await invokeHttp(createPost, { method: 'POST', path: '/api/ventroom/posts/', json: { content: 'swap', media_key: upload.body.media_key, media_type: 'image' }, user });
    expect(swapped).toBe(true);
    expect(created.status).toBe(400);
    expect(created.body).toEqual({ media_key: ['The upload changed while it was being checked. Upload the file again.'] });
    expect(await mediaKeys()).toEqual(before);

    s3.middlewareStack.remove(SWAP);
    const honest = await invokeHttp(createUpload, { method: 'POST', path: '/api/ventroom/uploads/', json: { size: png.length }, user });
    await fetch(honest.body.upload_url, { method: 'PUT', body: new Uint8Array(png) });
    const adopted = await invokeHttp(createPost, { method: 'POST', path: '/api/ventroom/posts/', json: { content: 'honest', media_key: honest.body.media_key, media_type: 'image' }, user });
    expect(adopted.status).toBe(201);
    const key = (await mediaKeys()).find((k) => !before.includes(k))!;
    const stored = await s3.send(new GetObjectCommand({ Bucket: process.env.MEDIA_BUCKET, Key: key }));
    expect(Buffer.from(await stored.Body!.transformToByteArray()).equals(png)).toBe(true);
  });
});
