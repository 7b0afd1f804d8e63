package cpu

import (
	"context"
	"sync"
	"testing"

	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/internal/testing/testenv"
	"github.com/upscaled/upscaled/models"
)

var (
	programsMu sync.Mutex
	programs   = map[string]*loaded{}
)

type loaded struct {
	prog engines.Program
	net  *models.Net
	info models.Info
}

// loadModel loads (once per test binary) the catalog model id.
func loadModel(t testing.TB, id string) *loaded {
	t.Helper()
	programsMu.Lock()
	defer programsMu.Unlock()
	if l, ok := programs[id]; ok {
		return l
	}
	info, err := models.Lookup(id)
	if err != nil {
		t.Fatal(err)
	}
	net, err := models.Load(testenv.ModelsDir(t), info)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := New().Load(context.Background(), engines.Model{Info: info, Net: net})
	if err != nil {
		t.Fatal(err)
	}
	l := &loaded{prog: prog, net: net, info: info}
	programs[id] = l
	return l
}
