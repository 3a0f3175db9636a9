import { existsSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../lib/project.ts';

/**
 * The workload profile the scale model reads: the team's shared one (../shared/scale/community.json)
 * where it sits next to the repository, else the copy kept here (bench/profiles/community.json) so a
 * clean clone (CI, a fresh machine) runs the same model. SCALE_PROFILE overrides both.
 */
export function defaultProfilePath(): string {
  const shared = path.resolve(PROJECT_ROOT, '..', 'shared', 'scale', 'community.json');
  return existsSync(shared) ? shared : path.resolve(PROJECT_ROOT, 'bench', 'profiles', 'community.json');
}
