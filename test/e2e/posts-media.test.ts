import { describe, expect, it } from 'vitest';
import { call, newUser, type TestUser } from '../support/api.ts';
import { GIF_1x1, PNG_1x1, mp4, pngOfSize, wav } from '../support/media-samples.ts';

function form(fields: Record<string, string>, file?: { bytes: Buffer; name: string; type: string }): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  if (file) data.append('media', new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name);
  return data;
}

async function postForm(user: TestUser, data: FormData) {
  return call('POST', '/api/ventroom/posts/', { user, body: data });
}

describe('posts: media', () => {
  it('stores a multipart image under vent_media/YYYY/MM/<uuid>.<ext> and serves the same bytes', async () => {
    const user = await newUser();
    const created = await postForm(user, form({ title: 'Pic', content: 'with image', media_type: 'image' }, { bytes: PNG_1x1, name: 'p.png', type: 'image/png' }));
    expect(created.status).toBe(201);
    expect(created.body.media_type).toBe('image');
    const now = new Date();
    const month = String(now.getUTCMonth() + 1).padStart(2, '0');
    expect(created.body.media).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/media/vent_media/${now.getUTCFullYear()}/${month}/[0-9a-f-]{36}\\.png$`));
    const served = await fetch(created.body.media);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await served.arrayBuffer()).equals(PNG_1x1)).toBe(true);
    const fetched = await call('GET', `/api/ventroom/posts/${created.body.id}/`, { user });
    expect(fetched.body.media).toBe(created.body.media);
  });

  it('accepts video and audio whose bytes match their media_type', async () => {
    const user = await newUser();
    const video = await postForm(user, form({ content: 'clip', media_type: 'video' }, { bytes: mp4(), name: 'v.mp4', type: 'video/mp4' }));
    expect(video.status).toBe(201);
    expect(video.body.media).toMatch(/\.mp4$/);
    const audio = await postForm(user, form({ content: 'sound', media_type: 'audio' }, { bytes: wav(), name: 'a.wav', type: 'audio/wav' }));
    expect(audio.status).toBe(201);
    expect(audio.body.media).toMatch(/\.wav$/);
    const served = await fetch(audio.body.media);
    expect(served.headers.get('content-type')).toMatch(/^audio\//);
  });

  it('refuses media whose bytes are not the declared media_type, whatever the client claims', async () => {
    const user = await newUser();
    const mismatch = await postForm(user, form({ content: 'x', media_type: 'video' }, { bytes: GIF_1x1, name: 'v.mp4', type: 'video/mp4' }));
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.media[0]).toMatch(/image\/gif.*media_type is "video"/);
    const text = await postForm(user, form({ content: 'x', media_type: 'image' }, { bytes: Buffer.from('hello world, not an image'), name: 'x.png', type: 'image/png' }));
    expect(text.status).toBe(400);
    expect(text.body.media[0]).toMatch(/not a recognised media file/);
  });

  it('validates media_type: required with media, a valid choice, and not alone', async () => {
    const user = await newUser();
    const missing = await postForm(user, form({ content: 'x' }, { bytes: PNG_1x1, name: 'p.png', type: 'image/png' }));
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ media_type: ['This field is required when media is provided.'] });
    const bad = await postForm(user, form({ content: 'x', media_type: 'gif' }, { bytes: PNG_1x1, name: 'p.png', type: 'image/png' }));
    expect(bad.body).toEqual({ media_type: ['"gif" is not a valid choice.'] });
    const alone = await call('POST', '/api/ventroom/posts/', { user, json: { content: 'x', media_type: 'image' } });
    expect(alone.body).toEqual({ media: ['No file was submitted for this media_type.'] });
    const jsonMedia = await call('POST', '/api/ventroom/posts/', { user, json: { content: 'x', media: 'http://evil/x.png', media_type: 'image' } });
    expect(jsonMedia.body.media).toEqual(['The submitted data was not a file. Check the encoding type on the form.']);
    const noContent = await postForm(user, form({ media_type: 'image' }, { bytes: PNG_1x1, name: 'p.png', type: 'image/png' }));
    expect(noContent.body).toEqual({ content: ['This field is required.'] });
  });

  it('enforces the 4 MiB inline limit with a 400, and API Gateway’s body limit with a 413', async () => {
    const user = await newUser();
    const fits = await postForm(user, form({ content: 'big', media_type: 'image' }, { bytes: pngOfSize(4 * 1024 * 1024), name: 'p.png', type: 'image/png' }));
    expect(fits.status).toBe(201);
    const tooBig = await postForm(user, form({ content: 'big', media_type: 'image' }, { bytes: pngOfSize(4 * 1024 * 1024 + 1), name: 'p.png', type: 'image/png' }));
    expect(tooBig.status).toBe(400);
    expect(tooBig.body.media[0]).toMatch(/File too large.*presigned upload/);
    const huge = await postForm(user, form({ content: 'huge', media_type: 'image' }, { bytes: pngOfSize(7 * 1024 * 1024), name: 'p.png', type: 'image/png' }));
    expect(huge.status).toBe(413);
  });

  it('takes large files through a presigned upload and a create with media_key', async () => {
    const user = await newUser();
    const bytes = pngOfSize(6 * 1024 * 1024);
    const upload = await call('POST', '/api/ventroom/uploads/', { user, json: { size: bytes.length } });
    expect(upload.status).toBe(201);
    expect(Object.keys(upload.body).sort()).toEqual(['expires_in', 'media_key', 'upload_url']);
    expect(upload.body.expires_in).toBe(900);
    // The declared length is signed into the URL: S3 refuses a body of another size.
    expect(new URL(upload.body.upload_url).searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;host');
    const put = await fetch(upload.body.upload_url, { method: 'PUT', body: new Uint8Array(bytes) });
    expect(put.status).toBe(200);
    const created = await call('POST', '/api/ventroom/posts/', { user, json: { content: 'large', media_key: upload.body.media_key, media_type: 'image' } });
    expect(created.status).toBe(201);
    expect(created.body.media).toMatch(/\/media\/vent_media\/\d{4}\/\d{2}\/[0-9a-f-]{36}\.png$/);
    const served = await fetch(created.body.media);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await served.arrayBuffer()).equals(bytes)).toBe(true);
    // The upload was moved: it cannot be used twice.
    const again = await call('POST', '/api/ventroom/posts/', { user, json: { content: 'again', media_key: upload.body.media_key, media_type: 'image' } });
    expect(again.status).toBe(400);
  });

  it('an upload needs its size, within the 100 MiB limit', async () => {
    const user = await newUser();
    expect((await call('POST', '/api/ventroom/uploads/', { user })).body).toEqual({ size: ['This field is required.'] });
    expect((await call('POST', '/api/ventroom/uploads/', { user, json: { size: 0 } })).body).toEqual({ size: ['Ensure this value is greater than or equal to 1.'] });
    const over = await call('POST', '/api/ventroom/uploads/', { user, json: { size: 100 * 1024 * 1024 + 1 } });
    expect(over.status).toBe(400);
    expect(over.body).toEqual({ size: [`Ensure this value is less than or equal to ${100 * 1024 * 1024}.`] });
    expect((await call('POST', '/api/ventroom/uploads/', { user, json: { size: 'big' } })).body).toEqual({ size: ['A valid integer is required.'] });
  });

  it('refuses someone else’s or an unknown media_key', async () => {
    const owner = await newUser();
    const thief = await newUser();
    const upload = await call('POST', '/api/ventroom/uploads/', { user: owner, json: { size: PNG_1x1.length } });
    await fetch(upload.body.upload_url, { method: 'PUT', body: new Uint8Array(PNG_1x1) });
    const stolen = await call('POST', '/api/ventroom/posts/', { user: thief, json: { content: 'x', media_key: upload.body.media_key, media_type: 'image' } });
    expect(stolen.status).toBe(400);
    expect(stolen.body.media_key[0]).toMatch(/Unknown upload/);
    const unknown = await call('POST', '/api/ventroom/posts/', { user: owner, json: { content: 'x', media_key: `uploads/${owner.id}/00000000-0000-0000-0000-000000000000`, media_type: 'image' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.media_key[0]).toMatch(/Nothing was uploaded/);
  });
});
