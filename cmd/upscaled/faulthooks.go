//go:build faulthooks

package main

// Test hook, linked only with `go build -tags faulthooks` (internal/testing/e2e does):
// the CPU engine fails while the file named by UPSCALED_TEST_FAULT_FILE
// exists. Normal builds never contain it.
import _ "github.com/upscaled/upscaled/internal/testing/faultengine"
