// vk.h: the flat C layer of upscaled's Vulkan engine. Every call returns a
// VkResult (0 = success) and writes a message into msg (UPX_MSG bytes) on
// failure. Handles are opaque pointers owned by C; Go keeps them as integers
// and closes each explicitly. No Go pointer outlives the call it is passed to.
#ifndef UPX_VK_H
#define UPX_VK_H

#include <stdint.h>
#include <stddef.h>

#define UPX_MSG 512
#define UPX_MAX_BIND 8
#define UPX_MAX_PUSH 32
// Compute queues one context uses at most: one per concurrent pass, so a
// small pass is not queued behind the segments of a big one.
#define UPX_MAX_QUEUES 8

typedef struct upx_ctx upx_ctx;

typedef struct {
	char name[256];
	char driver_name[256];
	char driver_info[256];
	uint32_t type; // VkPhysicalDeviceType
	uint32_t vendor_id, device_id;
	uint32_t api_version, driver_version;
	uint64_t heap_size;   // the largest device-local heap, bytes
	uint64_t heap_budget; // VK_EXT_memory_budget budget of that heap (0 if absent)
	uint64_t heap_usage;  // VK_EXT_memory_budget usage of that heap
	int has_memory_budget;
	int storage16;      // storageBuffer16BitAccess
	int float16;        // shaderFloat16
	int coopmat_nv;     // VK_NV_cooperative_matrix
	int coopmat_nv_f16; // ... with a 16×16×16 fp16×fp16→fp32 subgroup shape
	int memory_model;   // vulkanMemoryModel
	int coopmat_khr;    // VK_KHR_cooperative_matrix
	int push_descriptor;
	int timeline;
	uint32_t compute_queues; // queues in the chosen compute family (0: none)
	float timestamp_period;  // ns per timestamp tick on the compute family (0: no timestamps)
	uint32_t subgroup_size;
	uint32_t max_shared;
	uint32_t max_invocations;
	uint32_t max_group_count[3];
	uint64_t max_storage_range;
	uint64_t max_alloc;
	uint64_t min_storage_align;
} upx_device_info;

// Buffer kinds.
enum { UPX_BUF_DEVICE = 0, UPX_BUF_UPLOAD = 1, UPX_BUF_READBACK = 2 };

typedef struct {
	uintptr_t pipeline;
	uint32_t groups[3];
	uint32_t nbind;
	uintptr_t buf[UPX_MAX_BIND];
	uint64_t off[UPX_MAX_BIND];
	uint64_t size[UPX_MAX_BIND];
	uint32_t push[UPX_MAX_PUSH];
	uint32_t push_words;
	uint32_t barrier; // a compute→compute memory barrier precedes this dispatch
} upx_dispatch;

int upx_instance_init(char *msg);
int upx_device_count(int *count, char *msg);
int upx_device_info_get(int index, upx_device_info *out, char *msg);

// coopmat != 0 enables VK_NV_cooperative_matrix (and the Vulkan memory
// model it needs) when the device supports it. max_queues caps the compute
// queues created (at least 1, at most UPX_MAX_QUEUES and what the family has).
// pipestats != 0 prints each pipeline's compiler statistics to stderr where
// the driver has VK_KHR_pipeline_executable_properties.
int upx_ctx_create(int index, int coopmat, uint32_t max_queues, int pipestats, upx_ctx **out, char *msg);
uint32_t upx_ctx_queues(upx_ctx *c);
void upx_ctx_destroy(upx_ctx *c);
int upx_ctx_budget(upx_ctx *c, uint64_t *budget, uint64_t *usage, char *msg);

int upx_buffer_create(upx_ctx *c, uint64_t size, int kind, uintptr_t *out, void **mapped, char *msg);
void upx_buffer_destroy(upx_ctx *c, uintptr_t b);
// Copies size bytes from src into device buffer dst at off (through a
// temporary staging buffer), waiting for completion.
int upx_buffer_upload(upx_ctx *c, uintptr_t dst, uint64_t off, const void *src, uint64_t size, char *msg);

int upx_pipeline_create(upx_ctx *c, const uint32_t *spirv, size_t words, uint32_t nbind, uint32_t push_words,
                        const uint32_t *spec, uint32_t nspec, uintptr_t *out, char *msg);
void upx_pipeline_destroy(upx_ctx *c, uintptr_t p);

// Records n dispatches into a new command buffer with its own descriptor
// pool; ends with a compute→host barrier.
// With timestamps set it also writes a GPU timestamp before the first
// dispatch and after each one (n + 1 of them, upx_cmd_timestamps).
int upx_cmd_record(upx_ctx *c, const upx_dispatch *d, uint32_t n, int timestamps, uintptr_t *out, char *msg);
// Copies the n timestamps (ticks) of a finished command buffer recorded
// with timestamps.
int upx_cmd_timestamps(upx_ctx *c, uintptr_t cmd, uint64_t *ticks, uint32_t n, char *msg);
void upx_cmd_destroy(upx_ctx *c, uintptr_t cmd);
// Submits n recorded command buffers in order to queue q; *value is the
// value of q's timeline semaphore that signals their completion. On the
// device they first wait for every finished upload and, when after_value is
// not 0, for queue after_q's timeline to reach after_value: the memory
// dependency on buffers last written through another queue (already
// complete when the host waited for them, so the wait costs nothing).
int upx_submit(upx_ctx *c, uint32_t q, const uintptr_t *cmds, uint32_t n, uint32_t after_q, uint64_t after_value,
               uint64_t *value, char *msg);
int upx_wait(upx_ctx *c, uint32_t q, uint64_t value, uint64_t timeout_ns, char *msg);

// Log lines collected by C (debug messenger, driver notes); Go drains them
// into slog. Returns the number of bytes written (lines separated by '\n').
size_t upx_log_drain(char *buf, size_t cap);

// Error-severity messages the debug messenger received (validation layers).
int upx_error_count(void);

// Fault injection for tests: the next n buffer allocations fail with
// alloc_result; the next wait fails with wait_result (0 = off).
void upx_fault_set(int alloc_n, int alloc_result, int wait_result);

#endif
