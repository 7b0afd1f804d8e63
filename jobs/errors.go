package jobs

import "errors"

var (
	// ErrNotFound: no such job, or it belongs to another API key.
	ErrNotFound = errors.New("job not found")
	// ErrItemNotFound: the job has no item with that index.
	ErrItemNotFound = errors.New("job item not found")
	// ErrTooManyItems: the upload has more items than Config.MaxItems.
	ErrTooManyItems = errors.New("too many items in job")
	// ErrTooLarge: the upload exceeds Config.MaxBytes in total.
	ErrTooLarge = errors.New("job upload too large")
	// ErrNoItems: the upload holds no image.
	ErrNoItems = errors.New("job has no images")
	// ErrLowDisk: free disk space is below Config.MinFreeDisk.
	ErrLowDisk = errors.New("insufficient storage")
	// ErrDiskFull: a write failed because the disk is full.
	ErrDiskFull = errors.New("disk full")
	// ErrNotReady: the result is not there yet (item queued or running,
	// archive of an unfinished job).
	ErrNotReady = errors.New("result not ready")
	// ErrNoResult: the item finished without a result (failed or canceled).
	ErrNoResult = errors.New("item has no result")
	// ErrGone: the job was canceled and its files deleted.
	ErrGone = errors.New("job canceled and deleted")
	// ErrIdemMismatch: an idempotency key the owner already used came with
	// another request (other options, names or files).
	ErrIdemMismatch = errors.New("idempotency key reused with a different request")
	// ErrBadRequest: a malformed cursor, limit or idempotency key.
	ErrBadRequest = errors.New("invalid job request")
	// ErrBusy: the job database stayed locked past its busy timeout.
	ErrBusy = errors.New("job store busy")
	// ErrTooManyUploads: Config.MaxUploads job uploads are being received.
	ErrTooManyUploads = errors.New("too many job uploads at once")
	// ErrStorage: the remote store (Deps.Blobs) failed; the item is tried
	// again like after an engine failure.
	ErrStorage = errors.New("object store unavailable")
	// ErrClosed: the job manager is shut down.
	ErrClosed = errors.New("job manager closed")
)
