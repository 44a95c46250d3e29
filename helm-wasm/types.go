// Request and result shapes exchanged with the Node host (see
// engine/render/host.ts for the TypeScript side of the same contract).
package main

type request struct {
	Chart                map[string][]byte `json:"chart"`
	ReleaseName          string            `json:"releaseName"`
	Namespace            string            `json:"namespace"`
	Values               map[string]any    `json:"values"`
	KubeVersion          string            `json:"kubeVersion"`
	APIVersions          []string          `json:"apiVersions"`
	IncludeCrds          bool              `json:"includeCrds"`
	SkipTests            bool              `json:"skipTests"`
	NoHooks              bool              `json:"noHooks"`
	IsUpgrade            bool              `json:"isUpgrade"`
	SkipSchemaValidation bool              `json:"skipSchemaValidation"`
	// MaxBytes (from the host, not the engine): stop before sorting and
	// encoding when the rendered templates are larger than this.
	MaxBytes int64 `json:"maxBytes"`
}

type document struct {
	Template   string `json:"template"`
	Text       string `json:"text"`
	APIVersion string `json:"apiVersion,omitempty"`
	Kind       string `json:"kind,omitempty"`
	Name       string `json:"name,omitempty"`
	Namespace  string `json:"namespace,omitempty"`
	Hook       string `json:"hook,omitempty"`
	Crd        bool   `json:"crd,omitempty"`
}

type success struct {
	OK          bool       `json:"ok"`
	Manifest    string     `json:"manifest"`
	Documents   []document `json:"documents"`
	Notes       string     `json:"notes,omitempty"`
	HelmVersion string     `json:"helmVersion"`
}

type failure struct {
	OK    bool   `json:"ok"`
	Kind  string `json:"kind"`
	Error string `json:"error"`
}
