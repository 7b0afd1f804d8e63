package vulkan

import (
	"fmt"
	"sync"
)

// DeviceType is VkPhysicalDeviceType.
type DeviceType int

const (
	TypeOther      DeviceType = 0
	TypeIntegrated DeviceType = 1
	TypeDiscrete   DeviceType = 2
	TypeVirtual    DeviceType = 3
	TypeCPU        DeviceType = 4
)

func (t DeviceType) String() string {
	switch t {
	case TypeIntegrated:
		return "integrated"
	case TypeDiscrete:
		return "discrete"
	case TypeVirtual:
		return "virtual"
	case TypeCPU:
		return "cpu"
	}
	return "other"
}

// Device is one Vulkan physical device and what the engine needs to know
// about it.
type Device struct {
	Index                       int
	Name, Driver, DriverInfo    string
	Type                        DeviceType
	VendorID, DeviceID          uint32
	APIVersion                  uint32
	HeapSize                    int64 // largest device-local heap, bytes
	HeapBudget, HeapUsage       int64 // VK_EXT_memory_budget (0 without it)
	MemoryBudgetExt             bool
	Storage16, Float16          bool
	CoopMatrixNV, CoopMatrixKHR bool
	CoopMatrixF16               bool // NV: 16×16×16 fp16×fp16→fp32 per subgroup
	MemoryModel                 bool
	PushDescriptor, Timeline    bool
	ComputeQueues               int // queues in the compute family the engine uses
	SubgroupSize                int
	MaxShared, MaxInvocations   int
	MaxGroups                   [3]int
	MaxStorageRange, MaxAlloc   int64
	StorageAlign                int64
	TimestampPeriod             float64 // ns per GPU timestamp tick (0: none on the compute queues)
}

// API is the device's Vulkan version as "major.minor.patch".
func (d Device) API() string {
	v := d.APIVersion
	return fmt.Sprintf("%d.%d.%d", v>>22&0x7f, v>>12&0x3ff, v&0xfff)
}

// Budget is the device memory this process may use: the VK_EXT_memory_budget
// budget when the driver reports one, else a fraction of the heap (80% on a
// discrete GPU, which owns its heap; 50% where the heap is system memory).
func (d Device) Budget() int64 {
	if d.MemoryBudgetExt && d.HeapBudget > 0 {
		return d.HeapBudget
	}
	if d.Type == TypeDiscrete {
		return d.HeapSize / 10 * 8
	}
	return d.HeapSize / 2
}

// CoopMatrixUsable reports whether the tensor-core 3×3 kernel can run: NV
// cooperative matrices with a 16×16×16 fp16 shape, fp16 storage and math,
// the Vulkan memory model and 32-wide subgroups.
func (d Device) CoopMatrixUsable() bool {
	return d.CoopMatrixNV && d.CoopMatrixF16 && d.Storage16 && d.Float16 && d.MemoryModel && d.SubgroupSize == 32
}

// Usable reports whether the engine can run on the device, and why not.
func (d Device) Usable() error {
	switch {
	case d.ComputeQueues == 0:
		return fmt.Errorf("%s has no compute queue", d.Name)
	case !d.Timeline:
		return fmt.Errorf("%s lacks Vulkan 1.2 timeline semaphores", d.Name)
	}
	return nil
}

var (
	initOnce sync.Once
	initErr  error
)

func initInstance() error {
	initOnce.Do(func() { initErr = cInstanceInit() })
	return initErr
}

// Devices lists every Vulkan physical device (discrete, integrated, CPU).
func Devices() ([]Device, error) {
	if err := initInstance(); err != nil {
		return nil, err
	}
	n := cDeviceCount()
	out := make([]Device, 0, n)
	for i := range n {
		d, err := cDeviceInfo(i)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}
