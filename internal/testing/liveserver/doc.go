// Package liveserver is the one harness that builds the real upscaled
// binary and runs `upscaled serve` on a free loopback port: the end-to-end
// tests, the restart, load and live tests, the generated-client and browser
// tests and the soak all start servers through it. It only builds and
// starts processes; it must not import the packages of the service itself.
package liveserver
