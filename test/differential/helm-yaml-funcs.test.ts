/**
 * Differential test of Helm's toYaml and fromYaml template functions in the
 * wasm build against native `helm template` v4.2.4. The wasm's copy of Helm
 * takes a direct way for plain values (helm-wasm/trim/yaml-direct.sh: no
 * JSON text between the Go values and yaml/v2); the output must stay byte for
 * byte what Helm prints. A chart written by the test applies toYaml to
 * seeded, generated values and to values computed in templates (int64 from
 * `add`, floats from `divf` and `float64`, lists, dicts, nil, []string, a map
 * that holds itself, strings with DEL, NEL, a byte order mark, invalid UTF-8,
 * long keys), and fromYaml to YAML texts that cover numbers of every size,
 * non-string keys, anchors and merge keys, lists and scalars at the top,
 * infinities, binary, timestamps and parse errors; each result is printed
 * with the Go type of every leaf.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHelmRenderHost, type NodeHelmRenderHost } from '../../server/helm-render-host.ts';
import { chartFilesFromDir, runNativeHelm, helmRenderBinary } from '../support/helm-native.ts';

const SEED = Number(process.env.FLUXHELM_DIFF_SEED ?? 20261204);

let host: NodeHelmRenderHost;
let work: string;

before(() => {
  helmRenderBinary();
  work = mkdtempSync(join(tmpdir(), 'fluxhelm-yaml-funcs-'));
  host = createHelmRenderHost({ timeoutMs: 60_000 });
  assert.ok(host.available, 'dist/helm.wasm is missing: run npm run build with Go installed');
});
after(async () => {
  await host?.dispose();
  if (work) rmSync(work, { recursive: true, force: true });
});

// Prints a value with the Go type of each leaf, so that an int where Helm has a float64 shows.
const SHOW = `{{- define "t.show" -}}
{{- if kindIs "map" . -}}{ {{- range $k, $e := . }}{{ $k | quote }}: {{ include "t.show" $e }}, {{ end -}} }
{{- else if kindIs "slice" . -}}[ {{- range $e := . }}{{ include "t.show" $e }}, {{ end -}} ]
{{- else -}}{{ typeOf . }}({{ printf "%#v" . }})
{{- end -}}
{{- end -}}
`;

const TEMPLATE = `{{- $self := dict "a" 1 -}}
{{- $_ := set $self "self" $self -}}
{{- $computed := list
  (add 1 2) (sub 0 (mul 4611686018427387903 2)) (divf 1 3) (float64 1000000) (float64 "1e21") (float64 "9.3e18")
  (float64 "-0.0") (float64 "1e-7") (list 1 "a" nil (list)) (dict) (dict "b" nil "a" (list)) .Values.nothere
  (splitList "," "a,b") (b64dec "/w==") (printf "x%cy" 127) (printf "x%cy" 133) (printf "%cz" 65279) (printf "p%cq" 8232)
  (dict (repeat 150 "k") 1) (dict "\\u00e9t\\u00e9" "caf\\u00e9" "1" "one" "true" "yes" "" "empty") $self
  (dict "n" (float64 "9007199254740993") "m" (float64 "18446744073709551615") "o" (float64 "-9223372036854775808"))
-}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: yaml-funcs
data:
{{- range $i, $v := .Values.cases }}
  v{{ $i }}: {{ toYaml $v | b64enc | quote }}
  s{{ $i }}: {{ include "t.show" $v | b64enc | quote }}
{{- end }}
{{- range $i, $v := $computed }}
  c{{ $i }}: {{ toYaml $v | b64enc | quote }}
{{- end }}
  all: {{ toYaml .Values | b64enc | quote }}
{{- range $i, $s := .Values.texts }}
  f{{ $i }}: {{ include "t.show" (fromYaml $s) | b64enc | quote }}
  r{{ $i }}: {{ fromYaml $s | toYaml | b64enc | quote }}
{{- end }}
`;

const TEXTS = [
  '',
  '~',
  'a: 1',
  'a: 1.0\nb: -0.0\nc: 0x1F\nd: 0o17\ne: 1e3\nf: 1_000\ng: .5\nh: +12',
  'big: 9223372036854775807\nbigger: 18446744073709551615\nhuge: 184467440737095516150\nneg: -9223372036854775808',
  'x: [1, 2.5, -3, "4", null, true, ~]',
  'k: ~\nn: null\nt: true\ny: yes\no: off',
  'on: yes',
  '1: a',
  '1.5: a',
  'null: a',
  '- a\n- b',
  'just a string',
  '42',
  'a: .inf',
  'a: -.Inf\nb: .nan',
  'a: !!binary /w==',
  'a: !!binary aGVsbG8=',
  'a: &x {b: 1, c: [1, 2]}\nd: *x\n<<: {e: 5}',
  'a: 2001-12-14\nb: 2001-12-14t21:59:43.10-05:00\nc: "2001-12-14"',
  'a: "\\x7f\\u0085\\ufeff\\u2028"\nb: \'it\'\'s\'\nc: |\n  multi\n  line\n',
  'a: [',
  'a: b\na: c',
  'a: {b: {c: {d: {e: [ {f: 1.25e-8} ]}}}}',
  'a: 1\n---\nb: 2',
  '"quoted key": 1\n? complex\n: value',
];

// ---- seeded values -----------------------------------------------------------

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NUMBERS = [0, 1, -1, 3, 1.5, -2.25, 1e6, 1e20, 1e21, 1.5e21, 2 ** 53, 2 ** 53 + 2, 2 ** 63, -(2 ** 63), 2 ** 64, 1e-7, 1.25e-6, 0.1, 123456.789, 1e300, -1e-300, 5e-324];
const STRINGS = [
  '', 'a', 'true', 'no', 'y', '~', 'null', '1', '1e3', '0x1F', '0o17', '1_000', '.5', '+1', '2006-01-02', '12:30', '1:20:30',
  ' lead', 'trail ', 'a: b', '- x', '#c', '&a', '*a', '!t', '%p', '@x', '`b', '{x}', '[y]', 'a,b', 'quote"s', "it's",
  'line\nbreak', 'tab\there', 'cr\rhere', 'nul\u0000x', 'bell\u0007', 'del\u007f', 'nel\u0085', 'c1\u0090', 'nbsp\u00a0',
  'ls\u2028ps\u2029', 'bom\ufeff', 'fffe\ufffe', 'emoji 🎉', 'é', '中文', '<tag>&amp;', '\\back', 'k'.repeat(140),
];

function value(r: () => number, depth: number): unknown {
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  const roll = r();
  if (depth < 4 && roll < 0.2) {
    const o: Record<string, unknown> = {};
    const n = Math.floor(r() * 5);
    for (let i = 0; i < n; i++) o[r() < 0.7 ? pick(STRINGS) : `key${i}`] = value(r, depth + 1);
    return o;
  }
  if (depth < 4 && roll < 0.35) return Array.from({ length: Math.floor(r() * 4) }, () => value(r, depth + 1));
  if (roll < 0.6) return pick(STRINGS);
  if (roll < 0.85) return pick(NUMBERS) * (r() < 0.2 ? -1 : 1);
  if (roll < 0.93) return r() < 0.5;
  return null;
}

test('toYaml and fromYaml give what native helm template gives, for generated and computed values', async () => {
  const dir = join(work, 'yaml-funcs');
  mkdirSync(join(dir, 'templates'), { recursive: true });
  writeFileSync(join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: yaml-funcs\nversion: 0.1.0\n');
  writeFileSync(join(dir, 'templates', '_show.tpl'), SHOW);
  writeFileSync(join(dir, 'templates', 'cm.yaml'), TEMPLATE);
  const chart = chartFilesFromDir(dir);
  for (let round = 0; round < 6; round++) {
    const r = mulberry32(SEED + round * 104729);
    const cases = Array.from({ length: 40 }, () => value(r, 0));
    const values = { cases, texts: TEXTS, top: value(r, 1), n: NUMBERS };
    const valuesFile = join(work, `values-${round}.json`);
    // helm reads the file as YAML, which refuses DEL, C1 controls and U+FFFE written as they are and reads U+2028 as a line break: escaped.
    writeFileSync(valuesFile, JSON.stringify(values).replace(/[\u007f-\u009f\u2028\u2029\ufffe\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
    const [native, wasm] = await Promise.all([
      runNativeHelm(['template', 'rel', dir, '-n', 'ns', '-f', valuesFile], join(work, 'home')),
      host.render({ chart, releaseName: 'rel', namespace: 'ns', values }),
    ]);
    assert.equal(native.code, 0, native.stderr);
    assert.ok(wasm.ok, !wasm.ok ? `${wasm.kind}: ${wasm.error}` : '');
    if (wasm.manifest !== native.stdout) {
      // Name the first entry that differs, decoded.
      const entries = (text: string) => new Map([...text.matchAll(/^ {2}(\w+): "([^"]*)"$/gm)].map((m) => [m[1]!, Buffer.from(m[2]!, 'base64').toString('utf8')]));
      const want = entries(native.stdout);
      const got = entries(wasm.manifest);
      const key = [...want.keys()].find((k) => want.get(k) !== got.get(k));
      assert.fail(`round ${round}: ${key ?? 'the manifest'} differs\n helm: ${JSON.stringify(key && want.get(key))}\n wasm: ${JSON.stringify(key && got.get(key))}`);
    }
  }
});
