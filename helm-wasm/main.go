// Command helm-wasm is Helm's own client-only `helm template` pipeline built as
// a WebAssembly reactor (GOOS=wasip1, -buildmode=c-shared) for fluxhelm's Node
// host. The host writes a JSON request into memory it got from alloc, calls
// render, reads the JSON result at the returned pointer and frees both.
// The request and result follow engine/render/host.ts. The request is framed
// (server/helm-render-worker.ts writes it): a zero byte, the JSON of the
// request without its chart, then the chart's files as they are (readFramed).
// The result is JSON.
package main

import (
	"encoding/binary"
	"encoding/json"
	"errors"
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
	var err error
	if len(in) > 0 && in[0] == 0 {
		err = readFramed(in[1:], &req)
	} else {
		err = errors.New("not a framed request")
	}
	if err != nil {
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

// readFramed reads a framed request after its zero byte: a little-endian
// uint32 length and that much JSON (the request without its chart), then
// per chart file a uint32 name length, the name (UTF-8), a uint32 data length
// and the data. Base64 and JSON string scanning of a chart (app-template: 1
// MB) were about 40 ms of each render in the one-shot (Liftoff) tier. The
// files are copied out: the input buffer is freed after the render.
func readFramed(in []byte, req *request) error {
	next := func() ([]byte, error) {
		if len(in) < 4 {
			return nil, errors.New("truncated framed request")
		}
		n := binary.LittleEndian.Uint32(in)
		if uint64(n) > uint64(len(in)-4) {
			return nil, errors.New("truncated framed request")
		}
		part := in[4 : 4+n]
		in = in[4+n:]
		return part, nil
	}
	head, err := next()
	if err != nil {
		return err
	}
	if err := json.Unmarshal(head, req); err != nil {
		return err
	}
	req.Chart = map[string][]byte{}
	for len(in) > 0 {
		name, err := next()
		if err != nil {
			return err
		}
		data, err := next()
		if err != nil {
			return err
		}
		file := make([]byte, len(data))
		copy(file, data)
		req.Chart[string(name)] = file
	}
	return nil
}
