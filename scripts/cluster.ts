/**
 * `npm run cluster:up` / `cluster:down` / `cluster:status`: a real control
 * plane (etcd + kube-apiserver + Flux CRDs) for working on fluxhelm's cluster
 * features by hand or for tests to reuse. `up` starts it detached under
 * ${FLUXHELM_CACHE:-~/.cache/fluxhelm}/cluster-run (or FLUXHELM_CLUSTER_DIR)
 * and prints the admin kubeconfig path as the last line; when it is already
 * up it only prints the path. `down` stops the processes and removes the run
 * directory. Progress goes to stderr so stdout is just the path.
 */
import { downShared, sharedRunDir, sharedState, upShared } from '../test/cluster/control-plane.ts';

async function main(cmd: string | undefined): Promise<number> {
  switch (cmd) {
    case 'up': {
      const t0 = Date.now();
      if (!(await sharedState())) console.error(`cluster: starting etcd + kube-apiserver in ${sharedRunDir()} ...`);
      const { state, started } = await upShared();
      console.error(
        started
          ? `cluster: up in ${((Date.now() - t0) / 1000).toFixed(1)}s at ${state.server}`
          : `cluster: already up at ${state.server}`,
      );
      console.error(`cluster: restricted (read-only) kubeconfig: ${state.restrictedKubeconfig}`);
      console.log(state.kubeconfig);
      return 0;
    }
    case 'down': {
      const was = await downShared();
      console.error(was ? 'cluster: stopped' : 'cluster: was not running');
      return 0;
    }
    case 'status': {
      const state = await sharedState();
      if (!state) {
        console.error('cluster: not running');
        return 1;
      }
      console.error(`cluster: up at ${state.server} (etcd pid ${state.etcdPid}, kube-apiserver pid ${state.apiserverPid})`);
      console.log(state.kubeconfig);
      return 0;
    }
    default:
      console.error('usage: cluster.ts up|down|status');
      return 2;
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`cluster: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
