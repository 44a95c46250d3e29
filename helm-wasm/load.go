// Loading a chart from an in-memory file map the way `helm template <dir>`
// loads a folder: the chart's .helmignore (plus Helm's defaults) is applied,
// files are taken in directory-walk order and a UTF-8 BOM is stripped.
package main

import (
	"bytes"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"time"

	"helm.sh/helm/v4/pkg/chart/loader/archive"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"helm.sh/helm/v4/pkg/ignore"
)

var utf8bom = []byte{0xEF, 0xBB, 0xBF}

// fakeInfo is the little of os.FileInfo that the ignore rules look at.
type fakeInfo struct {
	name string
	dir  bool
	size int64
}

func (f fakeInfo) Name() string       { return f.name }
func (f fakeInfo) Size() int64        { return f.size }
func (f fakeInfo) ModTime() time.Time { return time.Time{} }
func (f fakeInfo) IsDir() bool        { return f.dir }
func (f fakeInfo) Sys() any           { return nil }
func (f fakeInfo) Mode() fs.FileMode {
	if f.dir {
		return fs.ModeDir | 0o755
	}
	return 0o644
}

// walkLess orders paths like a sorted directory walk: component by component.
func walkLess(a, b string) bool {
	pa, pb := strings.Split(a, "/"), strings.Split(b, "/")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		if pa[i] != pb[i] {
			return pa[i] < pb[i]
		}
	}
	return len(pa) < len(pb)
}

func loadChart(files map[string][]byte) (*chart.Chart, error) {
	rules := ignore.Empty()
	if data, ok := files[ignore.HelmIgnore]; ok {
		r, err := ignore.Parse(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		rules = r
	}
	rules.AddDefaults()

	names := make([]string, 0, len(files))
	for name := range files {
		clean := path.Clean(strings.TrimPrefix(name, "./"))
		if clean == "." || strings.HasPrefix(clean, "../") || strings.HasPrefix(clean, "/") {
			continue
		}
		names = append(names, name)
	}
	sort.Slice(names, func(i, j int) bool { return walkLess(path.Clean(names[i]), path.Clean(names[j])) })

	ignoredDir := map[string]bool{}
	isIgnoredDir := func(dir string) bool {
		if v, ok := ignoredDir[dir]; ok {
			return v
		}
		v := rules.Ignore(dir, fakeInfo{name: path.Base(dir), dir: true})
		ignoredDir[dir] = v
		return v
	}

	out := []*archive.BufferedFile{}
	for _, name := range names {
		n := path.Clean(strings.TrimPrefix(name, "./"))
		data := files[name]
		skip := false
		parts := strings.Split(n, "/")
		for i := 1; i < len(parts) && !skip; i++ {
			skip = isIgnoredDir(strings.Join(parts[:i], "/"))
		}
		if skip || rules.Ignore(n, fakeInfo{name: path.Base(n), size: int64(len(data))}) {
			continue
		}
		if int64(len(data)) > archive.MaxDecompressedFileSize {
			return nil, &os.PathError{Op: "load", Path: n, Err: fs.ErrInvalid}
		}
		out = append(out, &archive.BufferedFile{Name: n, Data: bytes.TrimPrefix(data, utf8bom)})
	}
	return loader.LoadFiles(out)
}
