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
	ID          string `json:"id"`
	Family      string `json:"family"`
	Scale       int    `json:"scale"`
	Denoise     int    `json:"denoise"`
	Description string `json:"description"`
	Installed   bool   `json:"installed"`
	Default     bool   `json:"default"`
}

// ModelsDoc is the body of GET /v1/models.
type ModelsDoc struct {
	Default string            `json:"default"`
	Engine  string            `json:"engine,omitempty"`
	Presets map[string]string `json:"presets"`
	Models  []ModelDoc        `json:"models"`
}

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
