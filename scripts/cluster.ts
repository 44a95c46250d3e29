/**
 * `npm run cluster:up` / `cluster:down` / `cluster:status`: a real control
 * plane (etcd + kube-apiserver + Flux CRDs) with the real Flux controllers
 * (source-, helm- and kustomize-controller, built from source by
 * .ci/flux-deps.sh) for working on fluxhelm's cluster features by hand or
 * for tests to reuse. `up` starts it detached under
 * ${FLUXHELM_CACHE:-~/.cache/fluxhelm}/cluster-run (or FLUXHELM_CLUSTER_DIR)
 * and prints the admin kubeconfig path as the last line; when it is already
 * up it only prints the path. `up --no-flux` starts the bare API server.
 * `down` stops everything and removes the run directory. Progress goes to
 * stderr so stdout is just the path.
 */
import { downShared, sharedRunDir, sharedState, upShared } from '../test/cluster/control-plane.ts';
import { fluxRunning, readFluxState, startFlux, stopFlux } from '../test/cluster/flux-controllers.ts';

async function main(cmd: string | undefined, flags: string[]): Promise<number> {
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
      if (!flags.includes('--no-flux')) {
        const flux = readFluxState(state.runDir);
        if (fluxRunning(flux)) {
          console.error(`cluster: Flux controllers already running (artifact server http://${flux!.storageAddr})`);
        } else {
          if (flux) await stopFlux(flux);
          const t1 = Date.now();
          console.error('cluster: starting source-controller, helm-controller, kustomize-controller ...');
          const f = await startFlux({ runDir: state.runDir, kubeconfig: state.kubeconfig });
          console.error(`cluster: Flux controllers up in ${((Date.now() - t1) / 1000).toFixed(1)}s; logs in ${state.runDir}/flux`);
          console.error(`cluster: source-controller storage ${f.storagePath}, artifact server http://${f.storageAddr} (loopback)`);
        }
        console.error('cluster: there is no kubelet: Pods never run, so Deployments and Jobs never become ready; charts whose objects are ConfigMaps, Services, Secrets or RBAC install fine (or use install.disableWait)');
      } else {
        console.error('cluster: --no-flux: no Flux controllers; reconcile requests will not be handled');
      }
      console.error(`cluster: restricted (read-only) kubeconfig: ${state.restrictedKubeconfig}`);
      console.log(state.kubeconfig);
      return 0;
    }
    case 'down': {
      const flux = readFluxState(sharedRunDir());
      if (flux) await stopFlux(flux);
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
      const flux = readFluxState(state.runDir);
      if (flux) {
        for (const p of flux.processes) console.error(`cluster: ${p.name} pid ${p.pid} ${fluxRunning({ ...flux, processes: [p] }) ? 'running' : 'not running'}`);
      } else {
        console.error('cluster: no Flux controllers (started with --no-flux)');
      }
      console.log(state.kubeconfig);
      return 0;
    }
    default:
      console.error('usage: cluster.ts up [--no-flux] | down | status');
      return 2;
  }
}

main(process.argv[2], process.argv.slice(3)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`cluster: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
