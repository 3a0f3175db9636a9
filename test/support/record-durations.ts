import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DURATIONS_FILE } from './sequencer.ts';

/**
 * `npm run test:durations`: copies each file's duration from vitest's results cache (written by the
 * last `npm test`) into test/support/file-durations.json, which the sequencer reads on a fresh clone.
 * Run it after a full run when files were added or got much longer; commit the result.
 */
function resultsFiles(dir: string): string[] {
  let found: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found = found.concat(resultsFiles(path));
    else if (name === 'results.json') found.push(path);
  }
  return found;
}

const cacheDir = join(process.cwd(), 'node_modules/.vite/vitest');
const newest = resultsFiles(cacheDir).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
if (!newest) throw new Error(`No vitest results under ${cacheDir}: run npm test first`);
const { results } = JSON.parse(readFileSync(newest, 'utf8')) as { results: [string, { duration: number; failed: boolean }][] };
const durations = Object.fromEntries(
  results
    .filter(([, result]) => !result.failed)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, result]) => [key, Math.round(result.duration)]),
);
writeFileSync(DURATIONS_FILE, `${JSON.stringify(durations, null, 1)}\n`);
console.log(`${Object.keys(durations).length} file durations from ${newest}`);
