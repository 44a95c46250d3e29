/**
 * Loads a chart that lives as a folder in the workspace (GitRepository or
 * Bucket sources, or a chart next to the fleet): every file below the folder
 * is read through the host (bytes where the host can, so packaged
 * subcharts in charts/*.tgz work) and handed to the chart loader.
 */
import type { EngineHost } from '../host.ts';
import { loadChartFromFiles, type ChartLoadResult } from './chart.ts';

const MAX_FILES = 5000;

export function loadChartFolder(host: EngineHost, dir: string): ChartLoadResult {
  const files = new Map<string, Uint8Array | string>();
  const walk = (abs: string, rel: string): string | undefined => {
    const entries = host.readDir(abs);
    if (!entries) return `chart folder ${abs} cannot be read`;
    for (const e of entries) {
      if (e.name === '.git') continue;
      const childAbs = `${abs}/${e.name}`;
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory) {
        const err = walk(childAbs, childRel);
        if (err) return err;
        continue;
      }
      if (files.size >= MAX_FILES) return `chart folder ${dir} has more than ${MAX_FILES} files`;
      const bytes = host.readBinary?.(childAbs);
      const content = bytes ?? host.readFile(childAbs);
      if (content !== undefined) files.set(childRel, content);
    }
    return undefined;
  };
  const err = walk(dir.replace(/\/+$/, ''), '');
  if (err) return { ok: false, error: err };
  if (!files.has('Chart.yaml')) return { ok: false, error: `no Chart.yaml in ${dir}` };
  return loadChartFromFiles(files, { location: dir });
}
