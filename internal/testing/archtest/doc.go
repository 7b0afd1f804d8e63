// Package archtest holds the test that keeps the package graph layered:
// imports point down, from cmd to server to api/jobs/budget to upscale to
// the engines, codecs and models, never back up.
package archtest
