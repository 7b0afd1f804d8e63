package vulkan

import (
	"testing"
)

func TestDevicesListed(t *testing.T) {
	ds, err := Devices()
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) == 0 {
		t.Fatal("no Vulkan devices: install mesa-vulkan-drivers (lavapipe)")
	}
	for _, d := range ds {
		t.Logf("device %d: %s (%s, %s) api %s budget %d MiB heap %d MiB fp16 storage %v math %v coop %q subgroup %d",
			d.Index, d.Name, d.Type, d.Driver, d.API(), d.Budget()>>20, d.HeapSize>>20, d.Storage16, d.Float16, d.CoopMatrix(), d.SubgroupSize)
		if d.Name == "" || d.HeapSize <= 0 || d.Budget() <= 0 {
			t.Errorf("device %d: incomplete description %+v", d.Index, d)
		}
	}
}

func TestResultNames(t *testing.T) {
	cases := []struct {
		r    int
		want string
	}{{-2, "VK_ERROR_OUT_OF_DEVICE_MEMORY"}, {-4, "VK_ERROR_DEVICE_LOST"}, {-1000069000, "VK_ERROR_OUT_OF_POOL_MEMORY"}, {-77, "VkResult(-77)"}}
	for _, c := range cases {
		t.Run(c.want, func(t *testing.T) {
			if got := ResultName(c.r); got != c.want {
				t.Errorf("ResultName(%d) = %q, want %q", c.r, got, c.want)
			}
		})
	}
}
