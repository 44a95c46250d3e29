/**
 * Chart files reach Helm's wasm exactly as they are: the worker writes each
 * file's name and bytes into the module's memory (server/helm-render-worker.ts,
 * read back by helm-wasm/main.go). A file with bytes that are not UTF-8, a
 * name with non-ASCII letters (longer in bytes than in characters), an empty
 * file and a large one must come out of `.Files` unchanged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChartFiles } from '../../engine/render/host.ts';
import { useRenderHost } from '../support/render-host.ts';

const renderHost = useRenderHost();

const TEMPLATE = `apiVersion: v1
kind: ConfigMap
metadata:
  name: files
binaryData:
  binary: {{ .Files.Get "files/blob.bin" | b64enc }}
  large: {{ .Files.Get "files/large.txt" | b64enc }}
data:
  accented: {{ .Files.Get "files/données-ünïcode.txt" | quote }}
  empty: {{ .Files.Get "files/empty.txt" | quote }}
  names: {{ range $path, $_ := .Files.Glob "files/*" }}{{ $path }},{{ end }}
`;

test('binary bytes, non-ASCII names, empty and large files reach .Files unchanged', async () => {
  const blob = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37 + 255) % 256));
  const large = Buffer.from('ab\u00e9\n'.repeat(100_000), 'utf8');
  const chart: ChartFiles = {
    'Chart.yaml': Buffer.from('apiVersion: v2\nname: bytes\nversion: 0.1.0\n'),
    'templates/cm.yaml': Buffer.from(TEMPLATE),
    'files/blob.bin': blob,
    'files/large.txt': large,
    'files/données-ünïcode.txt': Buffer.from('grüße ✓', 'utf8'),
    'files/empty.txt': new Uint8Array(0),
  };
  const r = await renderHost().render({ chart, releaseName: 'rel', namespace: 'ns', values: {} });
  assert.ok(r.ok, r.ok ? '' : `${r.kind}: ${r.error}`);
  const field = (name: string) => new RegExp(`^  ${name}: (.*)$`, 'm').exec(r.manifest)?.[1];
  assert.equal(field('binary'), blob.toString('base64'));
  assert.equal(field('large'), large.toString('base64'));
  assert.equal(field('accented'), '"grüße ✓"');
  assert.equal(field('empty'), '""');
  assert.equal(field('names'), 'files/blob.bin,files/données-ünïcode.txt,files/empty.txt,files/large.txt,');
});
