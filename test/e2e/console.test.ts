import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { twin } from '../support/api.ts';

/**
 * The live console (/local/console) and the API reference (/local/docs) in headless Chromium
 * (Debian's package; .ci/run installs it when missing). Two users in two tabs: one posts and
 * comments, the other watches the feed and the post and sees everything arrive. Nothing may be
 * fetched from anywhere but the twin.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
let context: BrowserContext | undefined;
let dataDir: string | undefined;
const outside: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (.ci/run installs it), or set CHROMIUM_PATH`);
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'ventroom-chromium-'));
  context = await chromium.launchPersistentContext(dataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1500, height: 900 },
  });
  const local = new URL(twin().httpUrl).hostname;
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === local || url.protocol === 'data:' || url.protocol === 'blob:') return route.continue();
    outside.push(url.toString());
    return route.abort();
  });
}, 60_000);

afterAll(async () => {
  await context?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function signIn(page: Page, name: string): Promise<void> {
  await page.goto(`${twin().httpUrl}/local/console`);
  await page.fill('#display-name', name);
  await page.click('#mint');
  await page.locator('#status', { hasText: 'open' }).waitFor();
  await expect.poll(() => page.textContent('#who')).toContain(name);
  // Signed in means joined to the feed: only then can a post made elsewhere arrive over the socket.
  await page.locator('#log li', { hasText: 'ventroom_joined' }).first().waitFor({ timeout: 15_000 });
}

const shots = process.env.CONSOLE_SCREENSHOTS ? path.resolve('docs/images') : undefined;

describe('the live console in Chromium', () => {
  it('shows one user what another posts and comments, live, with view counts that move', async () => {
    const watcher = await context!.newPage();
    const author = await context!.newPage();
    const errors: string[] = [];
    for (const page of [watcher, author]) page.on('pageerror', (error) => errors.push(error.message));
    await signIn(watcher, 'Watcher');
    await signIn(author, 'Author');
    const title = `Live ${Date.now()}`;

    await author.fill('#new-title', title);
    await author.fill('#new-content', 'Posted from the console');
    await author.click('#publish');
    // The watcher did nothing: the post arrives over the socket.
    const arrived = watcher.locator('#feed li.post', { hasText: title });
    await arrived.waitFor({ timeout: 15_000 });
    expect(await arrived.textContent()).toContain('Posted from the console');
    await watcher.locator('#log li', { hasText: 'new_ventroom_post' }).first().waitFor();

    // The watcher opens it (a view, counted in the background); the author's feed shows the count move.
    await arrived.click();
    await watcher.locator('#post-title', { hasText: title }).waitFor();
    // (45 s: in the full suite the shared twin's views queue can hold other files' bursts ahead of it.)
    await author.locator('#feed li.post', { hasText: title }).locator('.views', { hasText: '1 views' }).waitFor({ timeout: 45_000 });

    // The author comments and reacts; the watcher's open post shows both arrive.
    await author.locator('#feed li.post', { hasText: title }).click();
    await author.locator('#post-title', { hasText: title }).waitFor();
    await author.fill('#comment-text', 'A comment, live');
    await author.click('#send-comment');
    await watcher.locator('#comments li', { hasText: 'Author: A comment, live' }).waitFor({ timeout: 15_000 });
    await author.locator('#react-buttons button', { hasText: '❤️' }).click();
    await watcher.locator('#post-reactions', { hasText: '❤️ 1' }).waitFor({ timeout: 15_000 });

    if (shots) {
      await watcher.screenshot({ path: path.join(shots, 'console-watcher.png') });
      await author.screenshot({ path: path.join(shots, 'console-author.png') });
    }
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
  });

  it('serves the API reference offline: both documents render', async () => {
    const page = await context!.newPage();
    await page.goto(`${twin().httpUrl}/local/docs`);
    await page.locator('.opblock-summary-path', { hasText: '/api/ventroom/posts/{post_id}/with_comments/' }).first().waitFor({ timeout: 20_000 });
    const ws = await context!.newPage();
    await ws.goto(`${twin().httpUrl}/local/docs#ws`);
    await ws.locator('#asyncapi h1', { hasText: 'Vent Room real-time API' }).first().waitFor({ state: 'attached', timeout: 30_000 });
    expect(await ws.textContent('#asyncapi')).toContain('receiveNewVentroomPost');
    if (shots) await ws.screenshot({ path: path.join(shots, 'docs-asyncapi.png') });
    expect(outside).toEqual([]);
  });
});
