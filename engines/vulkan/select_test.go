package vulkan

import (
	"errors"
	"strings"
	"testing"

	"github.com/upscaled/upscaled/engines"
	_ "github.com/upscaled/upscaled/engines/cpu"
	"github.com/upscaled/upscaled/engines/sched"
)

// TestOpen: the choices of sched.Open on the Vulkan backend.
func TestOpen(t *testing.T) {
	// auto takes a GPU when there is one, else the Go executor (before the
	// Vulkan CPU device)
	ds, err := Devices()
	if err != nil {
		t.Fatal(err)
	}
	auto := "cpu"
	for _, d := range ds {
		if d.Usable() == nil && d.Type != TypeCPU {
			auto = "vulkan:"
		}
	}
	cases := []struct {
		engine  string
		device  int
		prefix  string // engine name prefix; "" = must fail with ErrUnavailable
		wantErr bool
	}{
		{"auto", -1, auto, false},
		{"vulkan", -1, "vulkan:", false},
		{"vulkan", 0, "vulkan:0 ", false},
		{"cpu", -1, "cpu", false},
		{"vulkan", 99, "", true},
		{"metal", -1, "", true},
	}
	for _, c := range cases {
		t.Run(c.engine, func(t *testing.T) {
			cfg := sched.DefaultConfig()
			if c.device >= 0 {
				cfg.Devices = []int{c.device}
			}
			e, err := sched.Open(c.engine, cfg)
			if c.wantErr {
				if !errors.Is(err, engines.ErrUnavailable) {
					t.Fatalf("Open(%q, device %d) = %v, want ErrUnavailable", c.engine, c.device, err)
				}
				t.Log(err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			if !strings.HasPrefix(e.Name(), c.prefix) {
				t.Errorf("Open(%q, device %d) chose %q, want %s…", c.engine, c.device, e.Name(), c.prefix)
			}
		})
	}
	infos, err := engines.ListDevices()
	if err != nil {
		t.Fatal(err)
	}
	var vk, cpu bool
	for _, d := range infos {
		vk = vk || d.Backend == "vulkan"
		cpu = cpu || d.Backend == "cpu"
	}
	if !vk || !cpu {
		t.Errorf("ListDevices %+v: want the Vulkan devices and the CPU executor", infos)
	}
}
