package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/engines/vulkan"
	"github.com/upscaled/upscaled/server"
)

// vulkanOption is one setting of the Vulkan engine (vulkan.Config): an
// UPSCALED_VK_* variable and a --vk-* flag of every command that opens an
// engine (serve, upscale, bench); the flag wins.
type vulkanOption struct {
	flag, env, arg, help string
	set                  func(c *vulkan.Config, v string) error
	show                 func(c vulkan.Config) string
}

func vulkanOptions() []vulkanOption {
	return []vulkanOption{
		{"vk-queues", "UPSCALED_VK_QUEUES", "N", fmt.Sprintf("compute queues of each GPU that concurrent passes spread over, one per pass while there are enough (1–%d; fewer where the device has fewer: upscaled devices)", vulkan.MaxQueues),
			func(c *vulkan.Config, v string) error {
				n, err := strconv.Atoi(strings.TrimSpace(v))
				if err != nil || n < 1 || n > vulkan.MaxQueues {
					return fmt.Errorf("%q: want a whole number of compute queues from 1 to %d", v, vulkan.MaxQueues)
				}
				c.Queues = n
				return nil
			},
			func(c vulkan.Config) string { return strconv.Itoa(c.Queues) }},
		switchOption("vk-coopmat", "UPSCALED_VK_COOPMAT", "3×3 convolutions on the cooperative-matrix (tensor-core) kernel where the GPU has one (0: every convolution off it)",
			func(c *vulkan.Config) *bool { return &c.CoopMat }),
		switchOption("vk-coop-strided", "UPSCALED_VK_COOP_STRIDED", "2×2 stride-2 convolutions and deconvolutions on the tensor-core kernel too",
			func(c *vulkan.Config) *bool { return &c.CoopStrided }),
		switchOption("vk-coop-deconv4", "UPSCALED_VK_COOP_DECONV4", "4×4 stride-2 deconvolutions to ≤ 4 channels (Real-CUGAN's last layer) on the tensor-core kernel too",
			func(c *vulkan.Config) *bool { return &c.CoopDeconv4 }),
		switchOption("vk-fuse", "UPSCALED_VK_FUSE", "run SE multiplies and skip-connection crops + adds inside the convolution kernels, and a last Interp and input-residual add inside the output quantization, instead of as dispatches of their own",
			func(c *vulkan.Config) *bool { return &c.Fuse }),
		{"vk-coop-rps", "UPSCALED_VK_COOP_RPS", "2|4", "tile rows each subgroup of the tensor-core kernel computes (measurements)",
			func(c *vulkan.Config, v string) error {
				switch strings.TrimSpace(v) {
				case "2":
					c.CoopRPS = 2
				case "4":
					c.CoopRPS = 4
				default:
					return fmt.Errorf("%q: want 2 or 4 rows per subgroup", v)
				}
				return nil
			},
			func(c vulkan.Config) string { return strconv.Itoa(c.CoopRPS) }},
		switchOption("vk-coop-khr", "UPSCALED_VK_COOP_KHR", "run the tensor-core kernel through VK_KHR_cooperative_matrix instead of the NV extension (measurements)",
			func(c *vulkan.Config) *bool { return &c.CoopKHR }),
		switchOption("vk-profile", "UPSCALED_VK_PROFILE", "time every dispatch on the GPU (timestamp queries, one compute queue); upscaled bench then prints GPU time per kernel and per layer (use --streams 1)",
			func(c *vulkan.Config) *bool { return &c.Profile }),
		switchOption("vk-pipestats", "UPSCALED_VK_PIPESTATS", "print every pipeline created, with the driver's statistics (registers, spills, shared memory), to stderr",
			func(c *vulkan.Config) *bool { return &c.PipeStats }),
	}
}

// switchOption is an on/off setting: 1 or 0 (also on/off, true/false).
func switchOption(flag, env, help string, field func(*vulkan.Config) *bool) vulkanOption {
	return vulkanOption{flag, env, "0|1", help,
		func(c *vulkan.Config, v string) error { return setSwitch(field(c), v) },
		func(c vulkan.Config) string { return showSwitch(*field(&c)) }}
}

// vulkanFromEnv applies the UPSCALED_VK_* variables of getenv over cfg;
// an error names the variable.
func vulkanFromEnv(cfg *vulkan.Config, getenv func(string) string) error {
	for _, o := range vulkanOptions() {
		if v := strings.TrimSpace(getenv(o.env)); v != "" {
			if err := o.set(cfg, v); err != nil {
				return fmt.Errorf("%s=%s: %w", o.env, v, err)
			}
		}
	}
	return nil
}

// vulkanServeOptions are the Vulkan settings as rows of `upscaled serve`
// (server.Config.Vulkan).
func vulkanServeOptions() []serveOption {
	var out []serveOption
	for _, o := range vulkanOptions() {
		out = append(out, serveOption{o.flag, o.env, o.arg, o.help,
			func(c *server.Config, v string) error { return o.set(&c.Vulkan, v) },
			func(c server.Config) string { return o.show(c.Vulkan) }})
	}
	return out
}

// insertAfter puts more after the option of flag name (at the end when
// there is none).
func insertAfter(opts []serveOption, name string, more ...serveOption) []serveOption {
	for i, o := range opts {
		if o.flag == name {
			return append(opts[:i+1], append(more, opts[i+1:]...)...)
		}
	}
	return append(opts, more...)
}

// vulkanFlags adds the --vk-* flags to a command that opens an engine and
// returns the settings they and the UPSCALED_VK_* variables make over
// vulkan.DefaultConfig (a malformed variable fails at parse time).
func vulkanFlags(f *flagSet) *vulkan.Config {
	cfg := vulkan.DefaultConfig()
	if err := vulkanFromEnv(&cfg, func(env string) string { return f.fromEnv(env, "") }); err != nil && f.envErr == nil {
		f.envErr = err
	}
	def := vulkan.DefaultConfig()
	for _, o := range vulkanOptions() {
		f.Func(o.flag, o.arg, o.env, o.show(def), o.help, func(v string) error { return o.set(&cfg, v) })
	}
	return &cfg
}

// backends are the backend settings engines open with.
func backends(vk *vulkan.Config) []engines.BackendConfig {
	return []engines.BackendConfig{*vk}
}
