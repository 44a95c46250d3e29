// The client-only `helm template` pipeline of Helm v4 (action.Install with a
// client dry run, then the template command's printing), assembled from
// Helm's own packages without the Kubernetes client: default Capabilities
// with overrides, dependency checks and processing, values coalescing and
// schema validation, a plain engine (lookup returns nothing), NOTES split
// off, manifests sorted in install order, CRDs and hooks printed like
// `helm template` prints them.
package main

import (
	"bytes"
	"fmt"
	"path"
	"slices"
	"strings"
	"unicode"

	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/common/util"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"
	"helm.sh/helm/v4/pkg/engine"
	release "helm.sh/helm/v4/pkg/release/v1"
	releaseutil "helm.sh/helm/v4/pkg/release/v1/util"
)

const notesFileSuffix = "NOTES.txt"

func fail(kind string, err error) *failure { return &failure{Kind: kind, Error: err.Error()} }

func templateChart(req *request) (*success, *failure) {
	if req.Chart == nil || len(req.Chart) == 0 {
		return nil, &failure{Kind: "chart", Error: "the chart has no files"}
	}
	if _, ok := req.Chart["Chart.yaml"]; !ok {
		return nil, &failure{Kind: "chart", Error: "Chart.yaml file is missing"}
	}
	ch, err := loadChart(req.Chart)
	if err != nil {
		return nil, fail("chart", err)
	}
	switch ch.Metadata.Type {
	case "", "application":
	default:
		return nil, fail("chart", fmt.Errorf("%s charts are not installable", ch.Metadata.Type))
	}
	if reqs := ch.Metadata.Dependencies; len(reqs) > 0 {
		if err := checkDependencies(ch, reqs); err != nil {
			return nil, fail("chart", fmt.Errorf("an error occurred while checking for chart dependencies. You may need to run 'helm dependency build' to fetch missing dependencies: %w", err))
		}
	}

	caps := common.DefaultCapabilities.Copy()
	if req.KubeVersion != "" {
		kv, err := common.ParseKubeVersion(req.KubeVersion)
		if err != nil {
			return nil, fail("chart", fmt.Errorf("invalid kube version '%s': %w", req.KubeVersion, err))
		}
		caps.KubeVersion = *kv
	}
	caps.APIVersions = append(slices.Clone(caps.APIVersions), splitAPIVersions(req.APIVersions)...)

	if err := chartutil.ValidateReleaseName(req.ReleaseName); err != nil {
		return nil, fail("chart", fmt.Errorf("release name check failed: %w", fmt.Errorf("release name %q: %w", req.ReleaseName, err)))
	}
	vals := req.Values
	if vals == nil {
		vals = map[string]any{}
	}
	if err := chartutil.ProcessDependencies(ch, vals); err != nil {
		return nil, fail("chart", fmt.Errorf("chart dependencies processing failed: %w", err))
	}

	options := common.ReleaseOptions{
		Name:      req.ReleaseName,
		Namespace: req.Namespace,
		Revision:  1,
		IsInstall: !req.IsUpgrade,
		IsUpgrade: req.IsUpgrade,
	}
	toRender, err := util.ToRenderValuesWithSchemaValidation(ch, vals, options, caps, req.SkipSchemaValidation)
	if err != nil {
		kind := "chart"
		if strings.HasPrefix(err.Error(), "values don't meet the specifications of the schema") {
			kind = "schema"
		}
		return nil, fail(kind, err)
	}

	if ch.Metadata.KubeVersion != "" && !chartutil.IsCompatibleRange(ch.Metadata.KubeVersion, caps.KubeVersion.String()) {
		return nil, fail("chart", fmt.Errorf("chart requires kubeVersion: %s which is incompatible with Kubernetes %s", ch.Metadata.KubeVersion, caps.KubeVersion.Version))
	}

	var e engine.Engine
	files, err := e.Render(ch, toRender)
	if err != nil {
		return nil, fail("template", err)
	}
	if req.MaxBytes > 0 {
		var total int64
		for _, v := range files {
			total += int64(len(v))
		}
		if total > req.MaxBytes {
			return nil, &failure{Kind: "too-large", Error: fmt.Sprintf("the rendered templates are larger than the limit of %d bytes (%d bytes)", req.MaxBytes, total)}
		}
	}

	var notes bytes.Buffer
	for k, v := range files {
		if strings.HasSuffix(k, notesFileSuffix) {
			if k == path.Join(ch.Name(), "templates", notesFileSuffix) {
				if notes.Len() > 0 {
					notes.WriteString("\n")
				}
				notes.WriteString(v)
			}
			delete(files, k)
		}
	}

	hooks, manifests, err := releaseutil.SortManifests(files, nil, releaseutil.InstallOrder)
	if err != nil {
		return nil, fail("template", err)
	}

	var docs []document
	var b bytes.Buffer
	if req.IncludeCrds {
		for _, crd := range ch.CRDObjects() {
			text := fmt.Sprintf("# Source: %s\n%s", crd.Filename, string(crd.File.Data))
			fmt.Fprintf(&b, "---\n%s\n", text)
			d := describe(crd.Filename, text, string(crd.File.Data))
			d.Crd = true
			docs = append(docs, d)
		}
	}
	for _, m := range manifests {
		text := fmt.Sprintf("# Source: %s\n%s", m.Name, m.Content)
		fmt.Fprintf(&b, "---\n%s\n", text)
		docs = append(docs, describe(m.Name, text, m.Content))
	}

	var out bytes.Buffer
	fmt.Fprintln(&out, strings.TrimSpace(b.String()))
	// helm trims the end of the non-hook part: so does the last document's text.
	if len(docs) > 0 {
		last := &docs[len(docs)-1]
		last.Text = strings.TrimRightFunc(last.Text, unicode.IsSpace)
	}
	if !req.NoHooks {
		for _, h := range hooks {
			if req.SkipTests && slices.Contains(h.Events, release.HookTest) {
				continue
			}
			text := fmt.Sprintf("# Source: %s\n%s", h.Path, h.Manifest)
			fmt.Fprintf(&out, "---\n%s\n", text)
			d := describe(h.Path, text, h.Manifest)
			if d.Hook == "" {
				d.Hook = hookEvents(h)
			}
			docs = append(docs, d)
		}
	}

	return &success{
		OK:          true,
		Manifest:    out.String(),
		Documents:   docs,
		Notes:       notes.String(),
		HelmVersion: caps.HelmVersion.Version,
	}, nil
}

// splitAPIVersions reads values like the --api-versions flag (a string
// slice: each value may hold several, comma-separated).
func splitAPIVersions(in []string) []string {
	var out []string
	for _, v := range in {
		for _, p := range strings.Split(v, ",") {
			if p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

func hookEvents(h *release.Hook) string {
	ev := make([]string, 0, len(h.Events))
	for _, e := range h.Events {
		ev = append(ev, string(e))
	}
	return strings.Join(ev, ",")
}

// checkDependencies reports dependencies in Chart.yaml that charts/ lacks
// (what `helm template` checks before rendering).
func checkDependencies(ch *chart.Chart, reqs []*chart.Dependency) error {
	var missing []string
OUTER:
	for _, r := range reqs {
		for _, d := range ch.Dependencies() {
			if d.Name() == r.Name {
				continue OUTER
			}
		}
		missing = append(missing, r.Name)
	}
	if len(missing) > 0 {
		return fmt.Errorf("found in Chart.yaml, but missing in charts/ directory: %s", strings.Join(missing, ", "))
	}
	return nil
}
