// Package sched is the shared engine: one engines.Engine over every device
// of the machine, used by all requests at once.
//
// Each device has one goroutine that owns its queue. Every Pass.Next call
// (a pass's segment up to its next SE pause or its end) is a work item,
// queued in the FIFO of its request. The device goroutine serves the
// requests' FIFOs by weighted fair queuing on the passes' input pixels
// (queue.go): the item with the nearest virtual finish goes next, so a
// panel queued behind pages goes before them, requests share the device
// by pixels (round-robin when all tiles are alike), and a page among a
// stream of panels still gets its share. It runs up to Config.InFlight
// items at once so one pass's upload and download overlap another's
// compute, plus up to InFlight express slots for items at most a quarter the
// size of InFlight running ones: panels then share the device with the
// pages' passes instead of waiting for one to end (on a GPU each pass has a
// compute queue of its own where the device has enough, see
// engines/vulkan). A queued item whose context ends is
// dropped; one already running stops at the engine's next check.
//
// A request is what engines.WithRequest names in the context given to
// Program.Start; without a name, passes started under one cancelable
// context (one HTTP request, one job) form a request, and passes under a
// context that cannot be canceled share one request.
//
// Placement is per pass: Program.Start puts each pass on the device with
// the fewest pixels in open passes (a device that is out of memory passes
// it on to the next). Passes of one image may thus run on several devices:
// that is exact, because a pass carries all of its state and the
// whole-image SE means travel through Pass.Supply, not through the device.
// Programs are loaded on every device (weights once per device); Footprint
// is the largest of the devices', MemoryBudget the smallest.
//
// Same-shape tiles of different requests are not batched into one
// submission: the engines expose no batch API, so each pass is submitted
// on its own; InFlight passes overlap instead.
//
// Open (open.go) is how every command opens an engine: the Go executor,
// the Vulkan devices named, every usable GPU, or the single best engine,
// always behind the scheduler. It lives here rather than in engines because
// it builds a scheduler and engines cannot import sched; it reaches the
// backends through the engines registry and hands each its own settings
// (Config.Backends, e.g. a vulkan.Config) unread.
//
// It imports engines only; it must not import a backend, imaging, tiling,
// upscale or net/http.
package sched
