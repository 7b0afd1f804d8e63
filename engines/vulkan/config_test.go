package vulkan

import (
	"errors"
	"strings"
	"testing"

	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/models"
)

func TestConfigValidate(t *testing.T) {
	def := DefaultConfig()
	if err := def.Validate(); err != nil {
		t.Fatalf("DefaultConfig: %v", err)
	}
	want := Config{Queues: 8, CoopMat: true, CoopStrided: true, CoopDeconv4: true, Fuse: true, CoopRPS: 2}
	if def != want {
		t.Errorf("DefaultConfig = %+v, want %+v", def, want)
	}
	for _, tt := range []struct {
		name string
		edit func(*Config)
		want string // "" = valid
	}{
		{"one queue", func(c *Config) { c.Queues = 1 }, ""},
		{"four rows", func(c *Config) { c.CoopRPS = 4 }, ""},
		{"no queue", func(c *Config) { c.Queues = 0 }, "0 compute queues (want 1 to 8)"},
		{"nine queues", func(c *Config) { c.Queues = 9 }, "9 compute queues (want 1 to 8)"},
		{"three rows", func(c *Config) { c.CoopRPS = 3 }, "3 tile rows per subgroup (want 2 or 4)"},
		{"zero value", func(c *Config) { *c = Config{} }, "0 compute queues"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			tt.edit(&c)
			err := c.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want ErrConfig mentioning %q", err, tt.want)
			}
		})
	}
}

// The Config given to New is the engine's: one queue gives one queue,
// CoopMat off keeps the cooperative-matrix kernel off (on a device that
// has it too), and the registered backend passes its settings on.
func TestConfigReachesEngine(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Queues, cfg.CoopMat = 1, false
	e := openTestEngineWith(t, cfg)
	if got := e.Config(); got != cfg {
		t.Errorf("Config() = %+v, want %+v", got, cfg)
	}
	if n := e.st.ctx.queues(); n != 1 {
		t.Errorf("%d compute queues with Queues 1", n)
	}
	if e.CoopMatrix() {
		t.Error("cooperative-matrix kernel on with CoopMat off")
	}
	vk, ok := engines.LookupBackend("vulkan")
	if !ok {
		t.Fatal("the vulkan backend is not registered")
	}
	be, err := vk.Open(e.Device().Index, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer be.Close()
	if got := be.(*Engine).Config(); got != cfg {
		t.Errorf("backend Open: Config() = %+v, want %+v", got, cfg)
	}
	if _, err := vk.Open(e.Device().Index, otherConfig{}); !errors.Is(err, ErrConfig) {
		t.Errorf("backend Open with another backend's settings: %v, want ErrConfig", err)
	}
}

type otherConfig struct{}

func (otherConfig) Backend() string { return "other" }
func (otherConfig) Validate() error { return nil }

// The tensor-core modes follow the engine's Config: with CoopStrided and
// CoopDeconv4 the 2×2 stride-2 and 4×4 deconvolution layers get the
// kernel's weights, without them only the 3×3 convolutions do. (Weights
// only: no device needed.)
func TestConfigCoopModes(t *testing.T) {
	net, err := models.ParseParam(strings.NewReader(coopCheckNet), "coopcheck.param")
	if err != nil {
		t.Fatal(err)
	}
	for i := range net.Layers {
		l := &net.Layers[i]
		switch l.Type {
		case "Convolution", "Deconvolution":
			l.Weight = make([]float32, l.Params.Int(6, 0))
			l.Bias = make([]float32, l.Params.Int(0, 0))
		case "InnerProduct":
			l.Weight = make([]float32, l.Params.Int(2, 0))
			l.Bias = make([]float32, l.Params.Int(0, 0))
		}
	}
	m := engines.Model{Info: models.Info{ID: "coopcheck", Scale: 1, InputBlob: "data", OutputBlob: "out"}, Net: net}
	coopLayers := func(cfg Config) []string {
		p, err := newProgram(&Engine{cfg: cfg}, m, true)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for i, parts := range p.layerParts {
			if len(parts) == 3 {
				out = append(out, net.Layers[i].Name)
			}
		}
		return out
	}
	all := DefaultConfig()
	if got := strings.Join(coopLayers(all), " "); got != "a c f s h k e" {
		t.Errorf("default modes: tensor-core layers %q, want every convolution and deconvolution", got)
	}
	plain := DefaultConfig()
	plain.CoopStrided, plain.CoopDeconv4 = false, false
	if got := strings.Join(coopLayers(plain), " "); got != "a c f h" {
		t.Errorf("CoopStrided and CoopDeconv4 off: tensor-core layers %q, want the 3×3 convolutions a c f h", got)
	}
	khr := DefaultConfig()
	khr.CoopKHR, khr.CoopRPS = true, 4
	if s := khr.coopShader(); s != "conv3x3_coopmat_khr" {
		t.Errorf("CoopKHR: shader %s", s)
	}
	if spec := khr.coopSpec(0, 0, 0, 1, coopConv3x3); spec[4] != 4 || spec[5] != 32*16/4 {
		t.Errorf("CoopRPS 4: spec %v, want RPS 4 and 128 invocations", spec)
	}
}
