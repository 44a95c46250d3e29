// Command helm-wasm is Helm's own client-only `helm template` pipeline built as
// a WebAssembly reactor (GOOS=wasip1, -buildmode=c-shared) for fluxhelm's Node
// host. The host writes a JSON request into memory it got from alloc, calls
// render, reads the JSON result at the returned pointer and frees both.
// The request and result follow engine/render/host.ts (chart files arrive
// base64-encoded, as encoding/json does for []byte).
package main

import (
	"encoding/json"
	"fmt"
	"unsafe"
)

func main() {}

// pinned keeps buffers handed to the host alive until it frees them.
var pinned = map[uintptr][]byte{}

//go:wasmexport alloc
func alloc(size uint32) uint32 {
	buf := make([]byte, size)
	if size == 0 {
		buf = make([]byte, 1)
	}
	p := uintptr(unsafe.Pointer(&buf[0]))
	pinned[p] = buf
	return uint32(p)
}

//go:wasmexport free
func free(ptr uint32) {
	delete(pinned, uintptr(ptr))
}

// render reads a request of length size at ptr and returns the result's
// pointer in the high 32 bits and its length in the low 32 bits.
//
//go:wasmexport render
func render(ptr, size uint32) uint64 {
	in := pinned[uintptr(ptr)]
	if int(size) <= len(in) {
		in = in[:size]
	}
	out := handle(in)
	p := alloc(uint32(len(out)))
	copy(pinned[uintptr(p)], out)
	return uint64(p)<<32 | uint64(len(out))
}

func handle(in []byte) (out []byte) {
	defer func() {
		if r := recover(); r != nil {
			out = marshal(failure{Kind: "crash", Error: fmt.Sprintf("helm panicked: %v", r)})
		}
	}()
	var req request
	if err := json.Unmarshal(in, &req); err != nil {
		return marshal(failure{Kind: "chart", Error: "invalid render request: " + err.Error()})
	}
	res, fail := templateChart(&req)
	if fail != nil {
		return marshal(fail)
	}
	return marshal(res)
}

func marshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(failure{Kind: "crash", Error: "cannot encode result: " + err.Error()})
	}
	return b
}
