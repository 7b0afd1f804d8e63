package engines

import "context"

type requestKey struct{}

// WithRequest marks ctx as belonging to request id: engines that share a
// device among requests (engines/sched) queue the passes started under one
// id together and serve different ids in turn.
func WithRequest(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestKey{}, id)
}

// RequestID is the id WithRequest gave ctx, or "" when none.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestKey{}).(string)
	return id
}
