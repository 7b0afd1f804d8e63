package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/upscaled/upscaled/engines"
)

func TestDevicesCommand(t *testing.T) {
	t.Run("json", func(t *testing.T) {
		a, out, _ := testApp("")
		if err := listDevices(a, []string{"--json"}); err != nil {
			t.Fatal(err)
		}
		var ds []engines.DeviceInfo
		if err := json.Unmarshal(out.Bytes(), &ds); err != nil {
			t.Fatalf("%v\n%s", err, out.String())
		}
		var vk, cpu bool
		for _, d := range ds {
			vk = vk || (d.Backend == "vulkan" && d.Name != "" && d.MemoryBudget > 0)
			cpu = cpu || d.Backend == "cpu"
		}
		if !vk || !cpu {
			t.Errorf("devices %+v: want a Vulkan device with a memory budget and the CPU executor", ds)
		}
	})
	t.Run("table", func(t *testing.T) {
		a, out, _ := testApp("")
		if err := listDevices(a, nil); err != nil {
			t.Fatal(err)
		}
		for _, col := range []string{"MEMORY BUDGET", "FP16 STORAGE", "COOP MATRIX", "QUEUES", "vulkan", "cpu"} {
			if !strings.Contains(out.String(), col) {
				t.Errorf("table lacks %q:\n%s", col, out.String())
			}
		}
	})
	t.Run("bad-argument", func(t *testing.T) {
		a, _, _ := testApp("")
		if err := listDevices(a, []string{"extra"}); exitCode(a, err) != exitUsage {
			t.Error("extra argument accepted")
		}
	})
}
