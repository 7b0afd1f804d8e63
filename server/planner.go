package server

import (
	"context"
	"errors"

	"github.com/upscaled/upscaled/engines"
)

// planOnly is the engine of an API-only node (UPSCALED_ROLE=api), which
// runs no page: it opens no device, and its programs serve the pipeline's
// checks of a request from the image header (model, limits, options: the
// same refusals as a node with an engine) but run no pass. Their
// footprint is unknown (0), so the plan's tiles and memory are not
// meaningful here: the worker that runs the page plans it again on its
// own engine, and the answer carries its figures.
type planOnly struct{}

// planOnlyName is what /readyz, /v1/models and the logs name as the engine
// of an API-only node.
const planOnlyName = "none"

// errNoEngine: a pass was started on an API-only node.
var errNoEngine = errors.New("this node has no engine (UPSCALED_ROLE=api): pages run on the fleet's workers")

func (planOnly) Name() string        { return planOnlyName }
func (planOnly) MemoryBudget() int64 { return 0 }
func (planOnly) Close() error        { return nil }
func (planOnly) Load(context.Context, engines.Model) (engines.Program, error) {
	return planOnlyProgram{}, nil
}

type planOnlyProgram struct{}

func (planOnlyProgram) Footprint(h, w int) int64 { return 0 }
func (planOnlyProgram) Close() error             { return nil }
func (planOnlyProgram) Start(context.Context, engines.Tile, engines.PassOptions) (engines.Pass, error) {
	return nil, errNoEngine
}
