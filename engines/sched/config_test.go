package sched

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/engines/vulkan"
)

func TestParseDevices(t *testing.T) {
	tests := []struct {
		in      string
		want    []int
		wantErr bool
	}{
		{"", nil, false},
		{"all", nil, false},
		{"ALL", nil, false},
		{"0", []int{0}, false},
		{" 0, 1 ", []int{0, 1}, false},
		{"0,x", nil, true},
		{"-1", nil, true},
		{"0,,1", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDevices(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error %v, want error %v", err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, ErrConfig) {
				t.Errorf("error %v does not wrap ErrConfig", err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string // "" = valid
	}{
		{"default", DefaultConfig(), ""},
		{"zero in flight", Config{InFlight: 0}, "passes in flight"},
		{"too many in flight", Config{InFlight: MaxInFlight + 1}, "passes in flight"},
		{"negative device", Config{InFlight: 2, Devices: []int{-1}}, "negative"},
		{"device twice", Config{InFlight: 2, Devices: []int{1, 0, 1}}, "listed twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want ErrConfig mentioning %q", err, tt.want)
			}
		})
	}
}

// TestOpen: device selection on this machine (lavapipe and the Go
// executor; no GPU).
func TestOpen(t *testing.T) {
	tests := []struct {
		name     string
		engine   string
		devices  []int
		wantName string // prefix of the engine's name ("" = error)
		wantErr  error
	}{
		{"cpu", "cpu", nil, "cpu", nil},
		{"cpu with devices", "cpu", []int{0}, "", ErrConfig},
		{"explicit device", "vulkan", []int{0}, "vulkan:0", nil},
		{"missing device", "auto", []int{7}, "", engines.ErrUnavailable},
		{"no GPU: the single engine auto selection picks", "auto", nil, "=single", nil},
		{"vulkan, no GPU: the best Vulkan device", "vulkan", nil, "vulkan:", nil},
		{"unknown engine", "cuda", nil, "", engines.ErrUnavailable},
		{"bad Vulkan settings", "vulkan", nil, "", vulkan.ErrConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Devices = tt.devices
			if tt.wantErr == vulkan.ErrConfig {
				bad := vulkan.DefaultConfig()
				bad.Queues = 0
				cfg.Backends = []engines.BackendConfig{bad}
			}
			e, err := Open(tt.engine, cfg)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("error %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			if tt.wantName == "=single" {
				// a GPU (discrete, integrated, virtual) before the Go executor
				tt.wantName = "cpu"
				ds, _ := engines.ListDevices()
				for _, d := range ds {
					if d.Backend == "vulkan" && d.Unusable == "" && d.Type != "cpu" {
						tt.wantName = "vulkan:"
					}
				}
			}
			if !strings.HasPrefix(e.Name(), tt.wantName) || len(e.Devices()) != 1 {
				t.Errorf("engine %q over %d devices, want one device named %s…", e.Name(), len(e.Devices()), tt.wantName)
			}
		})
	}
}

// Open hands each backend its settings: the Vulkan devices it opens run
// with the vulkan.Config given, the rest with their defaults.
func TestOpenBackendSettings(t *testing.T) {
	vc := vulkan.DefaultConfig()
	vc.Queues, vc.CoopMat, vc.CoopStrided = 1, false, false
	for _, tt := range []struct {
		name    string
		engine  string
		devices []int
		cfgs    []engines.BackendConfig
		want    vulkan.Config
	}{
		{"given", "vulkan", []int{0}, []engines.BackendConfig{vc}, vc},
		{"best device", "vulkan", nil, []engines.BackendConfig{vc}, vc},
		{"defaults", "vulkan", []int{0}, nil, vulkan.DefaultConfig()},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Devices, cfg.Backends = tt.devices, tt.cfgs
			e, err := Open(tt.engine, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			for _, d := range e.Devices() {
				if got := d.(*vulkan.Engine).Config(); got != tt.want {
					t.Errorf("%s opened with %+v, want %+v", d.Name(), got, tt.want)
				}
			}
		})
	}
	cfg := DefaultConfig()
	cfg.Backends = []engines.BackendConfig{vc, vc}
	if err := cfg.Validate(); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "vulkan settings given twice") {
		t.Errorf("two vulkan configs: %v, want ErrConfig", err)
	}
}
