import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { inject } from 'vitest';
import type { TwinInfo } from './global-setup.ts';

/**
 * The twin this test file runs against: its project's only twin, or, in a project with a twin per
 * worker, one leased to this file's process for its whole life.
 *
 * Not VITEST_POOL_ID: vitest 4 can hand the same pool id to two files at once when a group starts
 * while the previous group's last worker is still being released (two exclusive files then shared a
 * twin and saw each other's posts). A lease is a directory (mkdir is atomic) holding the owner's
 * pid; it is removed when the process exits, and taken over when its owner is gone.
 */
export function workerTwin(): TwinInfo {
  const twins = inject('twins');
  if (twins.length === 1) return twins[0]!;
  const holder = globalThis as { [LEASED]?: number };
  holder[LEASED] ??= leaseTwin(inject('twinLeaseDir'), twins.length);
  return twins[holder[LEASED]]!;
}

const LEASED = Symbol.for('ventroom.test.leasedTwin');
const LEASE_WAIT_MS = 120_000;

function leaseTwin(dir: string, count: number): number {
  const deadline = Date.now() + LEASE_WAIT_MS;
  for (;;) {
    for (let index = 0; index < count; index++) {
      const lease = path.join(dir, String(index));
      if (tryLease(lease)) {
        process.once('exit', () => rmSync(lease, { recursive: true, force: true }));
        return index;
      }
    }
    // Every twin is leased: a finished file's process is still exiting. Wait for it.
    if (Date.now() > deadline) throw new Error(`no free twin among ${count} within ${LEASE_WAIT_MS / 1000} s`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  }
}

function tryLease(lease: string): boolean {
  try {
    mkdirSync(lease);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    if (ownerAlive(lease)) return false;
    // The owner died without cleaning up (killed): free the lease, then race for it like anyone.
    rmSync(lease, { recursive: true, force: true });
    return tryLease(lease);
  }
  writeFileSync(path.join(lease, 'pid'), String(process.pid));
  return true;
}

function ownerAlive(lease: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(path.join(lease, 'pid'), 'utf8'));
  } catch {
    // Just created, its pid not written yet: the owner is alive.
    return true;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
