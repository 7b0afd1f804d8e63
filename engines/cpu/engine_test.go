package cpu

import (
	"testing"

	"github.com/upscaled/upscaled/engines"
)

func TestRegisteredBackend(t *testing.T) {
	cpu, ok := engines.LookupBackend("cpu")
	if !ok {
		t.Fatal("the cpu backend is not registered")
	}
	e, err := cpu.Open(0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if e.Name() != "cpu" || e.MemoryBudget() != 0 {
		t.Fatalf("opened %q with budget %d, want the cpu engine with no budget", e.Name(), e.MemoryBudget())
	}
	ds, _ := engines.ListDevices() // Vulkan may be absent; the cpu device must be listed
	found := false
	for _, d := range ds {
		found = found || (d.Backend == "cpu" && d.Type == "cpu" && d.Unusable == "")
	}
	if !found {
		t.Fatalf("devices %+v lack the cpu executor", ds)
	}
}
