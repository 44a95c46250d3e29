// Per-document facts for the host (apiVersion, kind, name, namespace, hook
// annotation), read without a second full YAML parse where the document is
// plain block-style YAML, which is nearly always: SortManifests has already
// parsed every document once, and a second sigs.k8s.io/yaml parse cost a
// sixth of a render. Anything the line scan is not sure about (flow-style
// metadata, quoting with escapes, anchors, tags) falls back to a real parse.
package main

import (
	"strings"

	"sigs.k8s.io/yaml"

	release "helm.sh/helm/v4/pkg/release/v1"
)

type docHead struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name        string            `json:"name"`
		Namespace   string            `json:"namespace"`
		Annotations map[string]string `json:"annotations"`
	} `json:"metadata"`
}

func describe(template, text, content string) document {
	d := document{Template: template, Text: text}
	h, ok := scanHead(content)
	if !ok {
		h = docHead{}
		if err := yaml.Unmarshal([]byte(content), &h); err != nil {
			return d
		}
	}
	d.APIVersion, d.Kind = h.APIVersion, h.Kind
	d.Name, d.Namespace = h.Metadata.Name, h.Metadata.Namespace
	d.Hook = h.Metadata.Annotations[release.HookAnnotation]
	return d
}

// plainValue reads a simple scalar: plain, or quoted without escapes.
func plainValue(v string) (string, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", true
	}
	switch v[0] {
	case '"':
		if len(v) >= 2 && v[len(v)-1] == '"' && !strings.ContainsAny(v[1:len(v)-1], "\"\\") {
			return v[1 : len(v)-1], true
		}
		return "", false
	case '\'':
		if len(v) >= 2 && v[len(v)-1] == '\'' && !strings.Contains(v[1:len(v)-1], "'") {
			return v[1 : len(v)-1], true
		}
		return "", false
	case '&', '*', '!', '|', '>', '{', '[', '%', '@', '`', '#':
		return "", false
	}
	if strings.Contains(v, " #") || strings.Contains(v, ": ") || strings.HasSuffix(v, ":") {
		return "", false
	}
	switch strings.ToLower(v) {
	// Scalars that YAML 1.1 (as Kubernetes reads it) does not keep as strings.
	case "~", "null", "y", "n", "yes", "no", "on", "off", "true", "false":
		return "", false
	}
	return v, true
}

func indentOf(line string) int {
	return len(line) - len(strings.TrimLeft(line, " "))
}

// splitKey splits "key: value" (the key plain or quoted without escapes).
func splitKey(s string) (string, string, bool) {
	if s == "" {
		return "", "", false
	}
	var key, rest string
	if s[0] == '"' || s[0] == '\'' {
		end := strings.IndexByte(s[1:], s[0])
		if end < 0 {
			return "", "", false
		}
		key, rest = s[1:1+end], s[2+end:]
		if strings.ContainsRune(key, '\\') {
			return "", "", false
		}
	} else {
		i := strings.Index(s, ":")
		if i < 0 {
			return "", "", false
		}
		key, rest = s[:i], s[i:]
	}
	if rest != ":" && !strings.HasPrefix(rest, ": ") {
		return "", "", false
	}
	return key, strings.TrimPrefix(strings.TrimPrefix(rest, ":"), " "), true
}

// scanHead reads the head of block-style YAML line by line; ok is false
// whenever a real parse is needed to be sure.
func scanHead(content string) (h docHead, ok bool) {
	lines := strings.Split(content, "\n")
	section := "" // "", "metadata" or "annotations"
	childIndent, annIndent := -1, -1
	for _, raw := range lines {
		line := strings.TrimRight(raw, " \r")
		trimmed := strings.TrimLeft(line, " ")
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if strings.HasPrefix(line, "\t") || trimmed == "---" || trimmed == "..." || strings.HasPrefix(trimmed, "%") {
			return h, false
		}
		ind := indentOf(line)
		if ind == 0 {
			section = ""
			key, val, isKey := splitKey(line)
			if !isKey {
				if strings.HasPrefix(line, "- ") || line == "-" {
					return h, false // a list document
				}
				return h, false
			}
			switch key {
			case "apiVersion", "kind":
				v, good := plainValue(val)
				if !good {
					return h, false
				}
				if key == "kind" {
					h.Kind = v
				} else {
					h.APIVersion = v
				}
			case "metadata":
				if strings.TrimSpace(val) != "" {
					return h, false // flow style or an alias
				}
				section, childIndent = "metadata", -1
			}
			continue
		}
		switch section {
		case "metadata":
			if childIndent < 0 {
				childIndent = ind
			}
			if ind < childIndent {
				return h, false
			}
			if ind > childIndent {
				continue // inside labels, ownerReferences, ...
			}
			key, val, isKey := splitKey(trimmed)
			if !isKey {
				return h, false
			}
			switch key {
			case "name", "namespace":
				v, good := plainValue(val)
				if !good {
					return h, false
				}
				if key == "name" {
					h.Metadata.Name = v
				} else {
					h.Metadata.Namespace = v
				}
			case "annotations":
				if strings.TrimSpace(val) != "" {
					if strings.TrimSpace(val) == "{}" {
						continue
					}
					return h, false
				}
				section, annIndent = "annotations", -1
			}
		case "annotations":
			if annIndent < 0 {
				if ind <= childIndent {
					section = "metadata"
					// Re-read this line as a metadata key.
					key, val, isKey := splitKey(trimmed)
					if !isKey || ind != childIndent {
						return h, false
					}
					if key == "name" || key == "namespace" {
						v, good := plainValue(val)
						if !good {
							return h, false
						}
						if key == "name" {
							h.Metadata.Name = v
						} else {
							h.Metadata.Namespace = v
						}
					}
					continue
				}
				annIndent = ind
			}
			if ind < annIndent {
				if ind != childIndent {
					return h, false
				}
				section = "metadata"
				key, val, isKey := splitKey(trimmed)
				if !isKey {
					return h, false
				}
				if key == "name" || key == "namespace" {
					v, good := plainValue(val)
					if !good {
						return h, false
					}
					if key == "name" {
						h.Metadata.Name = v
					} else {
						h.Metadata.Namespace = v
					}
				}
				continue
			}
			if ind > annIndent {
				continue // a multi-line annotation value
			}
			key, val, isKey := splitKey(trimmed)
			if !isKey {
				return h, false
			}
			if key == release.HookAnnotation {
				v, good := plainValue(val)
				if !good {
					return h, false
				}
				if h.Metadata.Annotations == nil {
					h.Metadata.Annotations = map[string]string{}
				}
				h.Metadata.Annotations[key] = v
			}
		}
	}
	return h, true
}
