// Command apiversions prints, one per line, the default API version list of
// Helm's Capabilities (what `.Capabilities.APIVersions` holds in `helm
// template`). Run natively against the unpatched Helm module by
// scripts/build-helm-wasm.sh; the list is written into the trimmed copy of
// Helm so the wasm build does not need client-go's scheme.
package main

import (
	"fmt"

	"helm.sh/helm/v4/pkg/chart/common"
)

func main() {
	for _, v := range common.DefaultVersionSet {
		fmt.Println(v)
	}
}
