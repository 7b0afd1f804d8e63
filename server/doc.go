// Package server is the upscaled process: configuration (Config, with
// defaults and validation), the engine and pipeline, the memory budget
// (package budget), the jobs manager (package jobs), Prometheus collectors,
// the readiness self-test, the HTTP listener and graceful shutdown. It wires
// the api package.
//
// It must not read flags or environment variables (cmd does) and must not
// import cmd.
package server
