// Package faultengine is a test hook: it wraps the CPU engine so that an
// end-to-end test can make the running binary's engine fail on demand, as a
// lost device would. It is linked only into binaries built with the
// faulthooks build tag (cmd/upscaled/faulthooks.go), never into a normal
// build.
//
// While the file named by UPSCALED_TEST_FAULT_FILE exists, every Program.Start
// and Pass.Next fails with engines.ErrDeviceLost; removing the file heals the
// engine. The file's content is ignored.
//
// It must import only engines and engines/cpu.
package faultengine
