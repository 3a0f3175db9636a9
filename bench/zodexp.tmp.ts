import { bundle, initOnceMs } from './bundles.ts';
import { statSync } from 'node:fs';
import { median } from './support/stats.ts';
const dir = '/work/wt-bench/node_modules/.cache/zodexp';
const names = ['base', 'zodclassic', 'zodmini', 'others'];
for (const n of names) await bundle(`${dir}/${n}.ts`, `${dir}/${n}.mjs`, true);
const t: Record<string, number[]> = {};
for (let r = 0; r < 10; r++) for (const n of names) (t[n] ??= []).push(initOnceMs(`${dir}/${n}.mjs`));
for (const n of names) console.log(n, Math.round(statSync(`${dir}/${n}.mjs`).size / 1024), 'KB', median(t[n]!).toFixed(1), 'ms');
