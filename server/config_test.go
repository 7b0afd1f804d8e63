package server

import (
	"strings"
	"testing"
	"time"
)

func TestDefaultConfigValid(t *testing.T) {
	c := DefaultConfig()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.MemoryBudget < minMemoryBudget || c.MemoryBudget > maxDefaultBudget {
		t.Fatalf("default budget %d outside [16 MiB, 8 GiB]", c.MemoryBudget)
	}
	if total := availableMemory(); total > 0 && c.MemoryBudget > total/4 && c.MemoryBudget != minMemoryBudget {
		t.Fatalf("default budget %d is more than a quarter of %d", c.MemoryBudget, total)
	}
	if c.Addr != ":8080" || c.MaxUploadBytes != 64<<20 || c.MaxInputPixels != 50_000_000 || c.MaxOutputPixels != 400_000_000 || c.RequestTimeout != 120*time.Second {
		t.Fatalf("documented defaults changed: %+v", c)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Config)
		want   string
	}{
		{"no addr", func(c *Config) { c.Addr = "" }, "UPSCALED_ADDR"},
		{"engine", func(c *Config) { c.Engine = "cuda" }, "UPSCALED_ENGINE"},
		{"device", func(c *Config) { c.Device = -3 }, "UPSCALED_DEVICE"},
		{"in flight", func(c *Config) { c.InFlight = 0 }, "UPSCALED_INFLIGHT"},
		{"device and devices", func(c *Config) { c.Device, c.Devices = 0, []int{0, 1} }, "UPSCALED_DEVICES"},
		{"devices with cpu", func(c *Config) { c.Engine, c.Devices = "cpu", []int{0} }, "UPSCALED_DEVICES"},
		{"device twice", func(c *Config) { c.Devices = []int{1, 1} }, "UPSCALED_DEVICES"},
		{"budget", func(c *Config) { c.MemoryBudget = 1 << 20 }, "UPSCALED_MEMORY_BUDGET"},
		{"queue", func(c *Config) { c.QueueMax = -1 }, "UPSCALED_QUEUE_MAX"},
		{"queue timeout", func(c *Config) { c.QueueTimeout = 0 }, "UPSCALED_QUEUE_TIMEOUT"},
		{"upload", func(c *Config) { c.MaxUploadBytes = 0 }, "UPSCALED_MAX_UPLOAD_BYTES"},
		{"input pixels", func(c *Config) { c.MaxInputPixels = 0 }, "UPSCALED_MAX_INPUT_PIXELS"},
		{"output pixels", func(c *Config) { c.MaxOutputPixels = -1 }, "UPSCALED_MAX_OUTPUT_PIXELS"},
		{"timeout", func(c *Config) { c.RequestTimeout = 0 }, "UPSCALED_REQUEST_TIMEOUT"},
		{"grace", func(c *Config) { c.ShutdownGrace = -time.Second }, "UPSCALED_SHUTDOWN_GRACE"},
		{"header bytes", func(c *Config) { c.MaxHeaderBytes = 10 }, "UPSCALED_MAX_HEADER_BYTES"},
		{"cors", func(c *Config) { c.CORSOrigins = []string{"reader.example"} }, "UPSCALED_CORS_ORIGINS"},
		{"log level", func(c *Config) { c.LogLevel = "loud" }, "UPSCALED_LOG_LEVEL"},
		{"log format", func(c *Config) { c.LogFormat = "xml" }, "UPSCALED_LOG_FORMAT"},
		{"jobs", func(c *Config) { c.Jobs.Workers = -1 }, "workers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			tt.modify(&c)
			err := c.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate() = %v, want an error naming %s", err, tt.want)
			}
		})
	}
}

func TestLoadKeys(t *testing.T) {
	dir := t.TempDir()
	file := dir + "/keys"
	writeFile(t, file, "# tenants\nkey-one\n\n  key-two  \n")
	keys, err := loadKeys([]string{" env-key ", ""}, file)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(keys, ",") != "env-key,key-one,key-two" {
		t.Fatalf("keys %q", keys)
	}
	writeFile(t, file, "# nothing\n")
	if _, err := loadKeys(nil, file); err == nil || !strings.Contains(err.Error(), "no key") {
		t.Fatalf("empty keys file: %v", err)
	}
	if _, err := loadKeys(nil, dir+"/missing"); err == nil || !strings.Contains(err.Error(), "UPSCALED_API_KEYS_FILE") {
		t.Fatalf("missing keys file: %v", err)
	}
}
