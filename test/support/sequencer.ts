import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Longest files first, from durations recorded in the repository (test/support/file-durations.json,
 * `npm run test:durations` after a full run). Vitest orders by its own cache of the last run, which
 * a fresh clone (CI) has not got: it falls back to file size, and a long file started last (a
 * 100 s realtime or races file) keeps one core busy while the other waits at the end of its group.
 * Files with no recorded duration (new ones) go first, as vitest's own order does. Groups and
 * projects keep vitest's order (the projects of one group share its workers one after the other).
 */
export const DURATIONS_FILE = new URL('./file-durations.json', import.meta.url);

function recorded(): Record<string, number> {
  try {
    return JSON.parse(readFileSync(DURATIONS_FILE, 'utf8')) as Record<string, number>;
  } catch {
    return {};
  }
}

export default class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const durations = recorded();
    const root = this.ctx.config.root;
    const durationOf = (file: TestSpecification) => durations[`${file.project.name}:${relative(root, file.moduleId)}`] ?? Number.POSITIVE_INFINITY;
    return [...files].sort((a, b) => {
      const group = a.project.config.sequence.groupOrder - b.project.config.sequence.groupOrder;
      if (group !== 0) return group;
      if (a.project.name !== b.project.name) return a.project.name < b.project.name ? -1 : 1;
      const longer = durationOf(b) - durationOf(a);
      return Number.isNaN(longer) ? 0 : longer;
    });
  }
}
