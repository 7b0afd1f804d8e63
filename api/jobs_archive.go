package api

import (
	"archive/zip"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/upscaled/upscaled/jobs"
)

// archive serves GET /v1/jobs/{id}/archive.
//
//	@Summary		All results of a finished job as a zip
//	@Description	Streamed as it is written. Entries are stored (the images are already compressed), named after the sanitised original names with the output extension, de-duplicated with " (2)", " (3)"… Failed items are left out.
//	@Tags			jobs
//	@Produce		application/zip,application/problem+json
//	@Param			id	path		string	true	"job id"
//	@Success		200	{file}		binary	"the zip (Content-Disposition names it)"
//	@Failure		401	{object}	Problem	"API key missing or wrong (when keys are on)"
//	@Failure		404	{object}	Problem	"no such job (or another API key's)"
//	@Failure		409	{object}	Problem	"the job is not finished"
//	@Failure		410	{object}	Problem	"job deleted"
//	@Security		BearerKey
//	@ID			getJobArchive
//	@Router			/v1/jobs/{id}/archive [get]
func (h *jobsAPI) archive(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	j, open, err := h.m.Archive(ctx, KeyID(ctx), chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	var items []jobs.Item
	var names []string
	for _, it := range j.Items {
		if it.State == jobs.Succeeded {
			items = append(items, it)
			names = append(names, jobs.ResultName(it.Name, it.OutFormat))
		}
	}
	names = jobs.Dedup(names)
	hd := w.Header()
	hd.Set("Content-Type", "application/zip")
	hd.Set("Content-Disposition", fmt.Sprintf("attachment; filename=\"upscaled-%s.zip\"", j.ID))
	hd.Set("Cache-Control", "private, no-store")
	w.WriteHeader(http.StatusOK)
	zw := zip.NewWriter(w)
	for i, it := range items {
		if err := addStored(zw, open, it, names[i]); err != nil {
			// the status is sent: cut the connection so that the client sees
			// a truncated zip, never a complete-looking one
			Logger(ctx).Error("job archive", "job_id", j.ID, "item", it.Index, "err", err)
			panic(http.ErrAbortHandler)
		}
	}
	if err := zw.Close(); err != nil {
		Logger(ctx).Info("sending a job archive failed", "job_id", j.ID, "err", err)
	}
	return nil
}

// addStored writes one result as a stored entry with its CRC and sizes in
// the local header (read twice from disk: no data descriptor needed, which
// every unzip handles).
func addStored(zw *zip.Writer, open func(int) (jobs.File, error), it jobs.Item, name string) error {
	f, err := open(it.Index)
	if err != nil {
		return err
	}
	defer f.Close()
	crc := crc32.NewIEEE()
	size, err := io.Copy(crc, f)
	if err != nil {
		return err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	hdr := &zip.FileHeader{Name: name, Method: zip.Store,
		CRC32: crc.Sum32(), CompressedSize64: uint64(size), UncompressedSize64: uint64(size)}
	// CreateRaw writes the MS-DOS date fields as they are (CreateHeader
	// would derive them from Modified): SetModTime fills both.
	hdr.SetModTime(it.Finished)
	hdr.SetMode(0o644)
	dst, err := zw.CreateRaw(hdr)
	if err != nil {
		return err
	}
	n, err := io.Copy(dst, f)
	if err == nil && n != size {
		err = fmt.Errorf("result changed while sending (%d of %d bytes)", n, size)
	}
	return err
}
