package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/engines/vulkan"
)

// The UPSCALED_VK_* variables and --vk-* flags fill vulkan.Config over its
// defaults for serve (a flag beats its variable).
func TestServeVulkanConfig(t *testing.T) {
	cfg, err := loadServeConfig(nil, func(string) string { return "" }, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Vulkan != vulkan.DefaultConfig() {
		t.Errorf("no settings: %+v, want vulkan.DefaultConfig %+v", cfg.Vulkan, vulkan.DefaultConfig())
	}
	env := map[string]string{
		"UPSCALED_VK_QUEUES":       "2",
		"UPSCALED_VK_COOPMAT":      "0",
		"UPSCALED_VK_COOP_STRIDED": "0",
		"UPSCALED_VK_COOP_DECONV4": "off",
		"UPSCALED_VK_COOP_RPS":     "4",
		"UPSCALED_VK_COOP_KHR":     "1",
		"UPSCALED_VK_PROFILE":      "1",
		"UPSCALED_VK_PIPESTATS":    "true",
		"UPSCALED_VK_FUSE":         "0",
	}
	cfg, err = loadServeConfig([]string{"--vk-queues=1", "--vk-coop-strided", "1"}, func(k string) string { return env[k] }, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	want := vulkan.Config{Queues: 1, CoopMat: false, CoopStrided: true, CoopDeconv4: false, Fuse: false, CoopRPS: 4, CoopKHR: true, Profile: true, PipeStats: true}
	if cfg.Vulkan != want {
		t.Errorf("got %+v, want %+v", cfg.Vulkan, want)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
}

// A malformed or out-of-range Vulkan setting fails with the variable or
// flag and what it takes.
func TestVulkanConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"no queue", map[string]string{"UPSCALED_VK_QUEUES": "0"}, nil, `UPSCALED_VK_QUEUES=0: "0": want a whole number of compute queues from 1 to 8`},
		{"nine queues", map[string]string{"UPSCALED_VK_QUEUES": "9"}, nil, "UPSCALED_VK_QUEUES=9"},
		{"word queues", map[string]string{"UPSCALED_VK_QUEUES": "abc"}, nil, `UPSCALED_VK_QUEUES=abc: "abc": want a whole number`},
		{"bad switch", map[string]string{"UPSCALED_VK_COOPMAT": "maybe"}, nil, `UPSCALED_VK_COOPMAT=maybe: "maybe": want 1 (on) or 0 (off)`},
		{"bad rows", map[string]string{"UPSCALED_VK_COOP_RPS": "3"}, nil, "UPSCALED_VK_COOP_RPS=3"},
		{"bad queue flag", nil, []string{"--vk-queues", "0"}, "--vk-queues=0"},
		{"bad switch flag", nil, []string{"--vk-profile=yes please"}, "--vk-profile=yes please"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadServeConfig(tt.args, func(k string) string { return tt.env[k] }, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("serve: err = %v, want one naming %q", err, tt.want)
			}
			if tt.env == nil {
				return
			}
			// upscale reads the same variables before it opens anything
			a, _, _ := testApp("")
			a.getenv = func(k string) string { return tt.env[k] }
			code, _, stderr := runCLI(t, a, "upscale", "-q", "in.png", "out.png")
			if code == exitOK || !strings.Contains(stderr, tt.want) {
				t.Errorf("upscale: exit %d, stderr %q; want a failure naming %q", code, stderr, tt.want)
			}
		})
	}
}

// upscale and bench list the Vulkan settings with their variables, and
// open the engine with them.
func TestEngineCommandsVulkanFlags(t *testing.T) {
	for _, cmd := range []string{"upscale", "bench"} {
		a, _, _ := testApp("")
		code, stdout, _ := runCLI(t, a, cmd, "--help")
		if code != exitOK {
			t.Fatalf("%s --help: exit %d", cmd, code)
		}
		for _, o := range vulkanOptions() {
			if !strings.Contains(stdout, "--"+o.flag+" "+o.arg) || !strings.Contains(stdout, "env "+o.env+", default "+o.show(vulkan.DefaultConfig())) {
				t.Errorf("%s --help lacks --%s / %s", cmd, o.flag, o.env)
			}
		}
	}
	a, _, _ := testApp("")
	a.getenv = func(k string) string { return map[string]string{"UPSCALED_VK_QUEUES": "3"}[k] }
	f := newFlagSet(a, "upscale", "")
	eng := engineFlags(f)
	if _, err := f.parse([]string{"--engine", "vulkan", "--vk-coopmat=0"}); err != nil {
		t.Fatal(err)
	}
	e, err := eng.open(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	devs := e.(engines.MultiDevice).Devices()
	for _, d := range devs {
		got := d.(*vulkan.Engine).Config()
		if got.Queues != 3 || got.CoopMat {
			t.Errorf("%s opened with %+v, want 3 queues (env) and the tensor-core kernel off (flag)", d.Name(), got)
		}
	}
}
