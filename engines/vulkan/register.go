package vulkan

import (
	"fmt"

	"github.com/upscaled/upscaled/engines"
)

func init() {
	engines.RegisterBackend(engines.Backend{
		Name:    "vulkan",
		Devices: deviceInfos,
		Open: func(index int, c engines.BackendConfig) (engines.Engine, error) {
			cfg := DefaultConfig()
			if c != nil {
				vc, ok := c.(Config)
				if !ok {
					return nil, fmt.Errorf("%w: the vulkan backend was given %T settings", ErrConfig, c)
				}
				cfg = vc
			}
			e, err := New(index, cfg)
			if err != nil {
				return nil, err
			}
			return e, nil
		},
	})
}

// CoopMatrix names the cooperative-matrix extensions a device exposes.
func (d Device) CoopMatrix() string {
	switch {
	case d.CoopMatrixKHR && d.CoopMatrixNV:
		return "KHR+NV"
	case d.CoopMatrixKHR:
		return "KHR"
	case d.CoopMatrixNV:
		return "NV"
	}
	return ""
}

func deviceInfos() ([]engines.DeviceInfo, error) {
	ds, err := Devices()
	if err != nil {
		return nil, err
	}
	out := make([]engines.DeviceInfo, 0, len(ds))
	for _, d := range ds {
		info := engines.DeviceInfo{
			Backend: "vulkan", Index: d.Index, Name: d.Name, Type: d.Type.String(),
			Driver: fmt.Sprintf("%s (%s)", d.Driver, d.DriverInfo), API: d.API(),
			MemoryBudget: d.Budget(), FP16Storage: d.Storage16, FP16Math: d.Float16,
			CoopMatrix: d.CoopMatrix(), SubgroupSize: d.SubgroupSize, Queues: d.ComputeQueues,
		}
		if err := d.Usable(); err != nil {
			info.Unusable = err.Error()
		}
		out = append(out, info)
	}
	return out, nil
}
