import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Longest files first, across projects of one group. Vitest's own order runs a group's projects one
 * after another (all of `cdk` before any of `shared`) and, without its cache (a fresh clone: CI),
 * larger files first. The two files of about 100 s (realtime client, ws-recovery: mostly waiting on
 * sockets) then start late and run alone at the end of the group while the other workers idle.
 * Started first, they wait beside the CPU-bound ones.
 *
 * Durations come from vitest's cache when a previous run left one, else from the seconds a CI run
 * measured (file-seconds.json, files of 8 s or more); unknown files count as 0 and keep size order.
 */
const measured: Record<string, number> = JSON.parse(readFileSync(new URL('./file-seconds.json', import.meta.url), 'utf8'));

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const cache = this.ctx.cache;
    const seconds = (spec: TestSpecification) => {
      const file = path.relative(root, spec.moduleId);
      const cached = cache.getFileTestResults(`${spec.project.name}:${file}`)?.duration;
      return cached !== undefined ? cached / 1000 : (measured[file] ?? 0);
    };
    const size = (spec: TestSpecification) => cache.getFileStats(`${spec.project.name}:${path.relative(root, spec.moduleId)}`)?.size ?? 0;
    return [...files].sort(
      (a, b) =>
        a.project.config.sequence.groupOrder - b.project.config.sequence.groupOrder ||
        seconds(b) - seconds(a) ||
        size(b) - size(a),
    );
  }
}
