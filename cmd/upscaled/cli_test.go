package main

import (
	"bytes"
	"strings"
)

// testApp is an app on buffers, with no UPSCALED_* variables set.
func testApp(stdin string) (a *app, stdout, stderr *bytes.Buffer) {
	stdout, stderr = &bytes.Buffer{}, &bytes.Buffer{}
	a = &app{stdin: strings.NewReader(stdin), stdout: stdout, stderr: stderr, getenv: func(string) string { return "" }}
	return a, stdout, stderr
}
