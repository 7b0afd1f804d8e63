// Package liveserver builds the real upscaled binary and runs it on a free
// loopback port for end-to-end tests (the generated-client test and the
// browser test). It only starts processes; it must not import the packages
// of the service itself.
package liveserver
