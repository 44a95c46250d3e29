/**
 * Leftover control planes of test processes that died without cleaning up
 * are ended by the next startControlPlane(): only processes whose command
 * line names the stale run directory, only when the owner pid is gone.
 * Uses idle stand-in processes, so no cluster is needed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive, reapStaleTestClusters } from './control-plane.ts';

function standIn(runDir: string): number {
  // An idle node process with runDir in its command line, as etcd's flags have it.
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 300000)', runDir], { detached: true, stdio: 'ignore' });
  child.unref();
  return child.pid!;
}

test('stale test clusters are reaped; live owners and foreign dirs are left alone', async () => {
  const base = mkdtempSync(join(tmpdir(), 'fh-reaper-'));
  const saved = process.env.FLUXHELM_CLUSTER_TMP;
  process.env.FLUXHELM_CLUSTER_TMP = base;
  const pids: number[] = [];
  try {
    const deadOwner = spawnSync('true').pid!;
    const stale = join(base, 'fluxhelm-cp-stale');
    const alive = join(base, 'fluxhelm-cp-alive');
    const other = join(base, 'something-else');
    for (const [dir, owner] of [[stale, deadOwner], [alive, process.pid], [other, deadOwner]] as const) {
      mkdirSync(dir);
      const etcdPid = standIn(dir);
      const apiserverPid = standIn(dir);
      pids.push(etcdPid, apiserverPid);
      writeFileSync(join(dir, 'state.json'), JSON.stringify({ runDir: dir, etcdPid, apiserverPid, ownerPid: owner }));
    }
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(pids.every((p, i) => processAlive(p, [stale, stale, alive, alive, other, other][i]!)));

    assert.equal(await reapStaleTestClusters(), 1);
    assert.equal(existsSync(stale), false);
    assert.equal(processAlive(pids[0]!, stale), false);
    assert.equal(processAlive(pids[1]!, stale), false);
    assert.ok(existsSync(alive) && processAlive(pids[2]!, alive) && processAlive(pids[3]!, alive));
    assert.ok(existsSync(other) && processAlive(pids[4]!, other));
  } finally {
    for (const p of pids) try { process.kill(p, 'SIGKILL'); } catch { /* gone */ }
    if (saved === undefined) delete process.env.FLUXHELM_CLUSTER_TMP;
    else process.env.FLUXHELM_CLUSTER_TMP = saved;
    rmSync(base, { recursive: true, force: true });
  }
});
