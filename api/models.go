package api

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"

	"github.com/upscaled/upscaled/models"
)

// ModelDoc describes one catalog model in GET /v1/models.
type ModelDoc struct {
	ID          string `json:"id" binding:"required" example:"realcugan-up2x-conservative"`
	Family      string `json:"family" binding:"required" enums:"realcugan,realesrgan"`
	Scale       int    `json:"scale" binding:"required" example:"2"`
	Denoise     int    `json:"denoise" binding:"required" example:"-1"`
	Description string `json:"description" binding:"required"`
	Installed   bool   `json:"installed" binding:"required"`
	Default     bool   `json:"default" binding:"required"`
} // @name ModelDoc

// ModelsDoc is the body of GET /v1/models.
type ModelsDoc struct {
	Default string            `json:"default" binding:"required" example:"realcugan-up2x-conservative"`
	Engine  string            `json:"engine,omitempty" example:"vulkan"`
	Presets map[string]string `json:"presets" binding:"required"`
	Models  []ModelDoc        `json:"models" binding:"required"`
} // @name ModelsDoc

// handleModels serves GET /v1/models.
//
//	@Summary		List the models
//	@Description	The model catalog: every model's id, family, scale and denoise level, whether its files are installed on this server, the default model and the preset letters.
//	@Tags			models
//	@Produce		json,application/problem+json
//	@Success		200	{object}	ModelsDoc
//	@Failure		401	{object}	Problem	"API key missing or wrong (when keys are on)"
//	@Security		BearerKey
//	@ID			listModels
//	@Router			/v1/models [get]
func (s *Server) handleModels(w http.ResponseWriter, r *http.Request) error {
	doc := ModelsDoc{Default: models.DefaultModel, Engine: s.engine, Presets: models.Presets}
	for _, m := range models.All() {
		doc.Models = append(doc.Models, ModelDoc{
			ID: m.ID, Family: string(m.Family), Scale: m.Scale, Denoise: m.Denoise,
			Description: m.Description, Installed: s.installed(m), Default: m.ID == models.DefaultModel,
		})
	}
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(doc)
}

// installed reports whether both files of m are in the models directory.
func (s *Server) installed(m models.Info) bool {
	for _, f := range m.Files() {
		st, err := os.Stat(filepath.Join(s.cfg.ModelsDir, f.Path))
		if err != nil || !st.Mode().IsRegular() || st.Size() == 0 {
			return false
		}
	}
	return true
}
