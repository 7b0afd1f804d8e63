// vk.c: instance and device enumeration, one compute context per device,
// buffers, pipelines, command recording and timeline submission.
#include "vk.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vulkan/vulkan.h>

// VK_KHR_cooperative_matrix postdates the Vulkan headers of Debian bookworm
// (1.3.239): the feature structure, as the registry defines it.
#ifndef VK_KHR_cooperative_matrix
#define VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_FEATURES_KHR ((VkStructureType)1000506000)
typedef struct VkPhysicalDeviceCooperativeMatrixFeaturesKHR {
	VkStructureType sType;
	void *pNext;
	VkBool32 cooperativeMatrix;
	VkBool32 cooperativeMatrixRobustBufferAccess;
} VkPhysicalDeviceCooperativeMatrixFeaturesKHR;
#endif

// ---- messages and logs ----

static void setmsg(char *msg, const char *fmt, ...) {
	if (!msg) return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, UPX_MSG, fmt, ap);
	va_end(ap);
}

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static char log_buf[16384];
static size_t log_len;

static void logline(const char *fmt, ...) {
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line - 1, fmt, ap);
	va_end(ap);
	if (n < 0) return;
	if (n > (int)sizeof line - 2) n = sizeof line - 2;
	line[n++] = '\n';
	pthread_mutex_lock(&log_mu);
	if (log_len + n <= sizeof log_buf) {
		memcpy(log_buf + log_len, line, n);
		log_len += n;
	}
	pthread_mutex_unlock(&log_mu);
}

size_t upx_log_drain(char *buf, size_t cap) {
	pthread_mutex_lock(&log_mu);
	size_t n = log_len < cap ? log_len : cap;
	memcpy(buf, log_buf, n);
	memmove(log_buf, log_buf + n, log_len - n);
	log_len -= n;
	pthread_mutex_unlock(&log_mu);
	return n;
}

// ---- fault injection ----

static pthread_mutex_t fault_mu = PTHREAD_MUTEX_INITIALIZER;
static int fault_alloc_n, fault_alloc_result, fault_wait_result;

void upx_fault_set(int alloc_n, int alloc_result, int wait_result) {
	pthread_mutex_lock(&fault_mu);
	fault_alloc_n = alloc_n;
	fault_alloc_result = alloc_result;
	fault_wait_result = wait_result;
	pthread_mutex_unlock(&fault_mu);
}

static VkResult fault_alloc(void) {
	VkResult r = VK_SUCCESS;
	pthread_mutex_lock(&fault_mu);
	if (fault_alloc_n > 0) {
		fault_alloc_n--;
		r = (VkResult)fault_alloc_result;
	}
	pthread_mutex_unlock(&fault_mu);
	return r;
}

static VkResult fault_wait(void) {
	pthread_mutex_lock(&fault_mu);
	VkResult r = (VkResult)fault_wait_result;
	fault_wait_result = 0;
	pthread_mutex_unlock(&fault_mu);
	return r;
}

// ---- instance ----

static pthread_mutex_t inst_mu = PTHREAD_MUTEX_INITIALIZER;
static VkInstance instance;
static VkDebugUtilsMessengerEXT messenger;
static VkPhysicalDevice *phys;
static uint32_t nphys;

static int error_count;

int upx_error_count(void) {
	pthread_mutex_lock(&log_mu);
	int n = error_count;
	pthread_mutex_unlock(&log_mu);
	return n;
}

static VKAPI_ATTR VkBool32 VKAPI_CALL debug_cb(VkDebugUtilsMessageSeverityFlagBitsEXT sev,
                                               VkDebugUtilsMessageTypeFlagsEXT type,
                                               const VkDebugUtilsMessengerCallbackDataEXT *data, void *user) {
	(void)type;
	(void)user;
	const char *level = sev >= VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT     ? "error"
	                    : sev >= VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT ? "warn"
	                                                                              : "info";
	if (sev >= VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT) {
		pthread_mutex_lock(&log_mu);
		error_count++;
		pthread_mutex_unlock(&log_mu);
	}
	logline("%s vulkan: %s", level, data && data->pMessage ? data->pMessage : "");
	return VK_FALSE;
}

static int has_instance_ext(const char *name) {
	uint32_t n = 0;
	if (vkEnumerateInstanceExtensionProperties(NULL, &n, NULL) != VK_SUCCESS) return 0;
	VkExtensionProperties *p = calloc(n ? n : 1, sizeof *p);
	vkEnumerateInstanceExtensionProperties(NULL, &n, p);
	int found = 0;
	for (uint32_t i = 0; i < n; i++)
		if (strcmp(p[i].extensionName, name) == 0) found = 1;
	free(p);
	return found;
}

int upx_instance_init(char *msg) {
	pthread_mutex_lock(&inst_mu);
	if (instance) {
		pthread_mutex_unlock(&inst_mu);
		return VK_SUCCESS;
	}
	uint32_t api = VK_API_VERSION_1_0;
	PFN_vkEnumerateInstanceVersion ev =
	    (PFN_vkEnumerateInstanceVersion)vkGetInstanceProcAddr(NULL, "vkEnumerateInstanceVersion");
	if (ev) ev(&api);
	if (api < VK_API_VERSION_1_2) {
		pthread_mutex_unlock(&inst_mu);
		setmsg(msg, "Vulkan loader version %u.%u is older than the 1.2 this engine needs",
		       VK_API_VERSION_MAJOR(api), VK_API_VERSION_MINOR(api));
		return VK_ERROR_INCOMPATIBLE_DRIVER;
	}
	const char *exts[2];
	uint32_t next = 0;
	int debug = has_instance_ext(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
	if (debug) exts[next++] = VK_EXT_DEBUG_UTILS_EXTENSION_NAME;
	VkApplicationInfo app = {.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
	                         .pApplicationName = "upscaled",
	                         .pEngineName = "upscaled",
	                         .apiVersion = VK_API_VERSION_1_2};
	VkInstanceCreateInfo ci = {.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
	                           .pApplicationInfo = &app,
	                           .enabledExtensionCount = next,
	                           .ppEnabledExtensionNames = exts};
	VkResult r = vkCreateInstance(&ci, NULL, &instance);
	if (r != VK_SUCCESS) {
		instance = VK_NULL_HANDLE;
		pthread_mutex_unlock(&inst_mu);
		setmsg(msg, "vkCreateInstance failed");
		return r;
	}
	if (debug) {
		PFN_vkCreateDebugUtilsMessengerEXT cm =
		    (PFN_vkCreateDebugUtilsMessengerEXT)vkGetInstanceProcAddr(instance, "vkCreateDebugUtilsMessengerEXT");
		VkDebugUtilsMessengerCreateInfoEXT mi = {
		    .sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT,
		    .messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT |
		                       VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT,
		    .messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT |
		                   VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
		                   VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT,
		    .pfnUserCallback = debug_cb};
		if (cm) cm(instance, &mi, NULL, &messenger);
	}
	r = vkEnumeratePhysicalDevices(instance, &nphys, NULL);
	if (r == VK_SUCCESS && nphys > 0) {
		phys = calloc(nphys, sizeof *phys);
		r = vkEnumeratePhysicalDevices(instance, &nphys, phys);
		if (r == VK_INCOMPLETE) r = VK_SUCCESS;
	}
	if (r != VK_SUCCESS) {
		setmsg(msg, "vkEnumeratePhysicalDevices failed");
		nphys = 0;
	}
	pthread_mutex_unlock(&inst_mu);
	return r;
}

int upx_device_count(int *count, char *msg) {
	(void)msg;
	*count = (int)nphys;
	return VK_SUCCESS;
}

static int has_device_ext(VkPhysicalDevice pd, const char *name) {
	uint32_t n = 0;
	if (vkEnumerateDeviceExtensionProperties(pd, NULL, &n, NULL) != VK_SUCCESS) return 0;
	VkExtensionProperties *p = calloc(n ? n : 1, sizeof *p);
	vkEnumerateDeviceExtensionProperties(pd, NULL, &n, p);
	int found = 0;
	for (uint32_t i = 0; i < n; i++)
		if (strcmp(p[i].extensionName, name) == 0) found = 1;
	free(p);
	return found;
}

// device_heap returns the index of the largest device-local heap.
static uint32_t device_heap(const VkPhysicalDeviceMemoryProperties *mp) {
	uint32_t best = 0;
	VkDeviceSize size = 0;
	for (uint32_t i = 0; i < mp->memoryHeapCount; i++) {
		if ((mp->memoryHeaps[i].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT) && mp->memoryHeaps[i].size > size) {
			best = i;
			size = mp->memoryHeaps[i].size;
		}
	}
	if (size == 0 && mp->memoryHeapCount > 0) best = 0;
	return best;
}

// compute_family returns the queue family to use (-1 if none) and, in
// *count and *tsbits, how many queues it has and its valid timestamp bits.
static int compute_family(VkPhysicalDevice pd, uint32_t *count, uint32_t *tsbits) {
	uint32_t n = 0;
	vkGetPhysicalDeviceQueueFamilyProperties(pd, &n, NULL);
	VkQueueFamilyProperties *q = calloc(n ? n : 1, sizeof *q);
	vkGetPhysicalDeviceQueueFamilyProperties(pd, &n, q);
	int best = -1;
	// Prefer a compute family without graphics (a dedicated compute queue).
	for (uint32_t i = 0; i < n; i++) {
		if (!(q[i].queueFlags & VK_QUEUE_COMPUTE_BIT)) continue;
		if (best < 0 || ((q[best].queueFlags & VK_QUEUE_GRAPHICS_BIT) && !(q[i].queueFlags & VK_QUEUE_GRAPHICS_BIT)))
			best = (int)i;
	}
	if (count) *count = best >= 0 ? q[best].queueCount : 0;
	if (tsbits) *tsbits = best >= 0 ? q[best].timestampValidBits : 0;
	free(q);
	return best;
}

int upx_device_info_get(int index, upx_device_info *out, char *msg) {
	if (index < 0 || (uint32_t)index >= nphys) {
		setmsg(msg, "device %d does not exist (%u devices)", index, nphys);
		return VK_ERROR_INITIALIZATION_FAILED;
	}
	VkPhysicalDevice pd = phys[index];
	memset(out, 0, sizeof *out);

	VkPhysicalDeviceDriverProperties drv = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES};
	VkPhysicalDeviceSubgroupProperties sg = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES,
	                                         .pNext = &drv};
	VkPhysicalDeviceProperties2 p2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, .pNext = &sg};
	vkGetPhysicalDeviceProperties2(pd, &p2);
	VkPhysicalDeviceProperties *p = &p2.properties;
	snprintf(out->name, sizeof out->name, "%s", p->deviceName);
	snprintf(out->driver_name, sizeof out->driver_name, "%s", drv.driverName);
	snprintf(out->driver_info, sizeof out->driver_info, "%s", drv.driverInfo);
	out->type = p->deviceType;
	out->vendor_id = p->vendorID;
	out->device_id = p->deviceID;
	out->api_version = p->apiVersion;
	out->driver_version = p->driverVersion;
	out->subgroup_size = sg.subgroupSize;
	out->max_shared = p->limits.maxComputeSharedMemorySize;
	out->max_invocations = p->limits.maxComputeWorkGroupInvocations;
	for (int i = 0; i < 3; i++) out->max_group_count[i] = p->limits.maxComputeWorkGroupCount[i];
	out->max_storage_range = p->limits.maxStorageBufferRange;
	out->min_storage_align = p->limits.minStorageBufferOffsetAlignment;

	VkPhysicalDeviceMaintenance3Properties m3 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES};
	VkPhysicalDeviceProperties2 p3 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, .pNext = &m3};
	vkGetPhysicalDeviceProperties2(pd, &p3);
	out->max_alloc = m3.maxMemoryAllocationSize;

	VkPhysicalDeviceVulkan12Features f12 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
	VkPhysicalDevice16BitStorageFeatures s16 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES,
	                                            .pNext = &f12};
	VkPhysicalDeviceFeatures2 f2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, .pNext = &s16};
	if (p->apiVersion >= VK_API_VERSION_1_2) {
		vkGetPhysicalDeviceFeatures2(pd, &f2);
		out->storage16 = s16.storageBuffer16BitAccess;
		out->float16 = f12.shaderFloat16;
		out->timeline = f12.timelineSemaphore;
		out->memory_model = f12.vulkanMemoryModel;
	}
	out->coopmat_nv = has_device_ext(pd, "VK_NV_cooperative_matrix");
	out->coopmat_khr = has_device_ext(pd, "VK_KHR_cooperative_matrix");
	if (out->coopmat_nv) {
		PFN_vkGetPhysicalDeviceCooperativeMatrixPropertiesNV gp =
		    (PFN_vkGetPhysicalDeviceCooperativeMatrixPropertiesNV)vkGetInstanceProcAddr(
		        instance, "vkGetPhysicalDeviceCooperativeMatrixPropertiesNV");
		uint32_t n = 0;
		if (gp && gp(pd, &n, NULL) == VK_SUCCESS && n > 0) {
			VkCooperativeMatrixPropertiesNV *cp = calloc(n, sizeof *cp);
			for (uint32_t i = 0; i < n; i++) cp[i].sType = VK_STRUCTURE_TYPE_COOPERATIVE_MATRIX_PROPERTIES_NV;
			if (gp(pd, &n, cp) == VK_SUCCESS) {
				for (uint32_t i = 0; i < n; i++) {
					if (cp[i].MSize == 16 && cp[i].NSize == 16 && cp[i].KSize == 16 &&
					    cp[i].AType == VK_COMPONENT_TYPE_FLOAT16_NV && cp[i].BType == VK_COMPONENT_TYPE_FLOAT16_NV &&
					    cp[i].CType == VK_COMPONENT_TYPE_FLOAT32_NV && cp[i].DType == VK_COMPONENT_TYPE_FLOAT32_NV &&
					    cp[i].scope == VK_SCOPE_SUBGROUP_NV)
						out->coopmat_nv_f16 = 1;
				}
			}
			free(cp);
		}
	}
	out->push_descriptor = has_device_ext(pd, VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME);
	out->has_memory_budget = has_device_ext(pd, VK_EXT_MEMORY_BUDGET_EXTENSION_NAME);
	uint32_t tsbits = 0;
	compute_family(pd, &out->compute_queues, &tsbits);
	out->timestamp_period = tsbits ? p->limits.timestampPeriod : 0.0f;

	VkPhysicalDeviceMemoryBudgetPropertiesEXT mb = {
	    .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_BUDGET_PROPERTIES_EXT};
	VkPhysicalDeviceMemoryProperties2 mp2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_PROPERTIES_2,
	                                         .pNext = out->has_memory_budget ? &mb : NULL};
	vkGetPhysicalDeviceMemoryProperties2(pd, &mp2);
	uint32_t h = device_heap(&mp2.memoryProperties);
	out->heap_size = mp2.memoryProperties.memoryHeaps[h].size;
	if (out->has_memory_budget) {
		out->heap_budget = mb.heapBudget[h];
		out->heap_usage = mb.heapUsage[h];
	}
	return VK_SUCCESS;
}

// ---- context ----

typedef struct {
	VkBuffer buf;
	VkDeviceMemory mem;
	void *mapped;
	uint64_t size;
} upx_buffer;

typedef struct {
	VkPipeline pipe;
	VkPipelineLayout layout;
	VkDescriptorSetLayout dsl;
	uint32_t nbind;
	uint32_t push_words;
} upx_pipeline;

typedef struct {
	VkCommandBuffer cmd;
	VkDescriptorPool pool;
	VkQueryPool queries; // timestamps (VK_NULL_HANDLE: recorded without)
	uint32_t nqueries;
} upx_cmd;

struct upx_ctx {
	int index;
	VkPhysicalDevice pd;
	VkDevice dev;
	uint32_t family;
	uint32_t nqueues;
	// Queue i signals timeline[i] with increasing values; next_value[i] is
	// the last one handed out.
	VkQueue queue[UPX_MAX_QUEUES];
	VkSemaphore timeline[UPX_MAX_QUEUES];
	uint64_t next_value[UPX_MAX_QUEUES];
	uint64_t upload_value; // queue 0's value of the last finished upload
	VkCommandPool cmdpool;
	VkPhysicalDeviceMemoryProperties mp;
	uint32_t heap;
	int has_budget;
	int pipestats; // asked for (pipestats argument) and the device reports pipeline statistics
	pthread_mutex_t mu; // guards the queues, cmdpool and next_value
};

int upx_ctx_create(int index, int coopmat, uint32_t max_queues, int pipestats, upx_ctx **out, char *msg) {
	upx_device_info info;
	VkResult r = upx_device_info_get(index, &info, msg);
	if (r != VK_SUCCESS) return r;
	if (!info.timeline) {
		setmsg(msg, "device %d (%s) lacks timeline semaphores (Vulkan 1.2)", index, info.name);
		return VK_ERROR_FEATURE_NOT_PRESENT;
	}
	VkPhysicalDevice pd = phys[index];
	uint32_t famq = 0;
	int fam = compute_family(pd, &famq, NULL);
	if (fam < 0) {
		setmsg(msg, "device %d (%s) has no compute queue", index, info.name);
		return VK_ERROR_FEATURE_NOT_PRESENT;
	}
	upx_ctx *c = calloc(1, sizeof *c);
	c->index = index;
	c->pd = pd;
	c->family = (uint32_t)fam;
	c->nqueues = famq;
	if (max_queues < c->nqueues) c->nqueues = max_queues;
	if (c->nqueues > UPX_MAX_QUEUES) c->nqueues = UPX_MAX_QUEUES;
	if (c->nqueues < 1) c->nqueues = 1;
	c->has_budget = info.has_memory_budget;
	pthread_mutex_init(&c->mu, NULL);
	vkGetPhysicalDeviceMemoryProperties(pd, &c->mp);
	c->heap = device_heap(&c->mp);

	float prio[UPX_MAX_QUEUES];
	for (uint32_t i = 0; i < UPX_MAX_QUEUES; i++) prio[i] = 1.0f;
	VkDeviceQueueCreateInfo qi = {.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
	                              .queueFamilyIndex = c->family,
	                              .queueCount = c->nqueues,
	                              .pQueuePriorities = prio};
	// coopmat 2: the KHR extension too (the conv3x3_coopmat_khr shader).
	int coop_khr = coopmat == 2 && info.coopmat_khr;
	coopmat = coopmat && info.coopmat_nv_f16 && info.float16 && info.storage16 && info.memory_model;
	coop_khr = coop_khr && coopmat;
	VkPhysicalDeviceCooperativeMatrixFeaturesKHR ck = {
	    .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_FEATURES_KHR, .cooperativeMatrix = VK_TRUE};
	VkPhysicalDeviceCooperativeMatrixFeaturesNV cm = {
	    .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_FEATURES_NV,
	    .pNext = coop_khr ? &ck : NULL,
	    .cooperativeMatrix = VK_TRUE};
	VkPhysicalDeviceVulkan12Features f12 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES,
	                                        .pNext = coopmat ? &cm : NULL,
	                                        .timelineSemaphore = VK_TRUE,
	                                        .vulkanMemoryModel = coopmat ? VK_TRUE : VK_FALSE,
	                                        .shaderFloat16 = info.float16 ? VK_TRUE : VK_FALSE};
	VkPhysicalDevice16BitStorageFeatures s16 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES,
	                                            .pNext = &f12,
	                                            .storageBuffer16BitAccess = info.storage16 ? VK_TRUE : VK_FALSE};
	// pipestats: print each pipeline's compiler statistics (registers,
	// spills, shared memory) to stderr, where the driver has them.
	c->pipestats = pipestats && has_device_ext(pd, VK_KHR_PIPELINE_EXECUTABLE_PROPERTIES_EXTENSION_NAME);
	VkPhysicalDevicePipelineExecutablePropertiesFeaturesKHR pe = {
	    .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PIPELINE_EXECUTABLE_PROPERTIES_FEATURES_KHR,
	    .pNext = &s16,
	    .pipelineExecutableInfo = VK_TRUE};
	VkPhysicalDeviceFeatures2 f2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2,
	                                .pNext = c->pipestats ? (void *)&pe : (void *)&s16};
	const char *exts[5];
	uint32_t next = 0;
	if (info.has_memory_budget) exts[next++] = VK_EXT_MEMORY_BUDGET_EXTENSION_NAME;
	if (coopmat) exts[next++] = "VK_NV_cooperative_matrix";
	if (coop_khr) exts[next++] = "VK_KHR_cooperative_matrix";
	if (c->pipestats) exts[next++] = VK_KHR_PIPELINE_EXECUTABLE_PROPERTIES_EXTENSION_NAME;
	VkDeviceCreateInfo di = {.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
	                         .pNext = &f2,
	                         .queueCreateInfoCount = 1,
	                         .pQueueCreateInfos = &qi,
	                         .enabledExtensionCount = next,
	                         .ppEnabledExtensionNames = exts};
	r = vkCreateDevice(pd, &di, NULL, &c->dev);
	if (r != VK_SUCCESS) {
		setmsg(msg, "vkCreateDevice for %s failed", info.name);
		pthread_mutex_destroy(&c->mu);
		free(c);
		return r;
	}
	for (uint32_t i = 0; i < c->nqueues; i++) vkGetDeviceQueue(c->dev, c->family, i, &c->queue[i]);
	VkCommandPoolCreateInfo pi = {.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
	                              .flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT,
	                              .queueFamilyIndex = c->family};
	r = vkCreateCommandPool(c->dev, &pi, NULL, &c->cmdpool);
	if (r == VK_SUCCESS) {
		VkSemaphoreTypeCreateInfo ti = {.sType = VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO,
		                                .semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE,
		                                .initialValue = 0};
		VkSemaphoreCreateInfo si = {.sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO, .pNext = &ti};
		for (uint32_t i = 0; i < c->nqueues && r == VK_SUCCESS; i++) r = vkCreateSemaphore(c->dev, &si, NULL, &c->timeline[i]);
	}
	if (r != VK_SUCCESS) {
		setmsg(msg, "creating the command pool or timeline semaphore failed");
		upx_ctx_destroy(c);
		return r;
	}
	logline("info vulkan: device %d (%s, %s) ready, queue family %u with %u of its %u queues, 16-bit storage %d, "
	        "cooperative matrix %d",
	        index, info.name, info.driver_name, c->family, c->nqueues, famq, info.storage16, coopmat);
	*out = c;
	return VK_SUCCESS;
}

uint32_t upx_ctx_queues(upx_ctx *c) { return c->nqueues; }

void upx_ctx_destroy(upx_ctx *c) {
	if (!c) return;
	if (c->dev) {
		vkDeviceWaitIdle(c->dev);
		for (uint32_t i = 0; i < c->nqueues; i++)
			if (c->timeline[i]) vkDestroySemaphore(c->dev, c->timeline[i], NULL);
		if (c->cmdpool) vkDestroyCommandPool(c->dev, c->cmdpool, NULL);
		vkDestroyDevice(c->dev, NULL);
	}
	pthread_mutex_destroy(&c->mu);
	free(c);
}

int upx_ctx_budget(upx_ctx *c, uint64_t *budget, uint64_t *usage, char *msg) {
	(void)msg;
	VkPhysicalDeviceMemoryBudgetPropertiesEXT mb = {
	    .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_BUDGET_PROPERTIES_EXT};
	VkPhysicalDeviceMemoryProperties2 mp2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_PROPERTIES_2,
	                                         .pNext = c->has_budget ? &mb : NULL};
	vkGetPhysicalDeviceMemoryProperties2(c->pd, &mp2);
	if (c->has_budget) {
		*budget = mb.heapBudget[c->heap];
		*usage = mb.heapUsage[c->heap];
	} else {
		*budget = 0;
		*usage = 0;
	}
	return VK_SUCCESS;
}

// ---- buffers ----

// find_memory picks a memory type allowed by bits that has every flag of
// want: first one that also has every flag of prefer and none of avoid, then
// one with prefer, then any.
static int find_memory(upx_ctx *c, uint32_t bits, VkMemoryPropertyFlags want, VkMemoryPropertyFlags prefer,
                       VkMemoryPropertyFlags avoid) {
	int with_prefer = -1, any = -1;
	for (uint32_t i = 0; i < c->mp.memoryTypeCount; i++) {
		if (!(bits & (1u << i))) continue;
		VkMemoryPropertyFlags f = c->mp.memoryTypes[i].propertyFlags;
		if ((f & want) != want) continue;
		if ((f & prefer) == prefer) {
			if (!(f & avoid)) return (int)i;
			if (with_prefer < 0) with_prefer = (int)i;
		}
		if (any < 0) any = (int)i;
	}
	return with_prefer >= 0 ? with_prefer : any;
}

int upx_buffer_create(upx_ctx *c, uint64_t size, int kind, uintptr_t *out, void **mapped, char *msg) {
	VkResult r = fault_alloc();
	if (r != VK_SUCCESS) {
		setmsg(msg, "allocating %llu bytes failed (injected)", (unsigned long long)size);
		return r;
	}
	upx_buffer *b = calloc(1, sizeof *b);
	b->size = size;
	VkBufferCreateInfo bi = {.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
	                         .size = size,
	                         .usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
	                                  VK_BUFFER_USAGE_TRANSFER_DST_BIT,
	                         .sharingMode = VK_SHARING_MODE_EXCLUSIVE};
	r = vkCreateBuffer(c->dev, &bi, NULL, &b->buf);
	if (r != VK_SUCCESS) {
		setmsg(msg, "vkCreateBuffer of %llu bytes failed", (unsigned long long)size);
		free(b);
		return r;
	}
	VkMemoryRequirements req;
	vkGetBufferMemoryRequirements(c->dev, b->buf, &req);
	VkMemoryPropertyFlags want = 0, prefer = 0, avoid = 0;
	switch (kind) {
	case UPX_BUF_DEVICE:
		// plain VRAM, not a host-visible window of it (which may be a small
		// heap without resizable BAR)
		prefer = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT;
		avoid = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT;
		break;
	case UPX_BUF_UPLOAD:
		want = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
		break;
	default:
		want = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
		prefer = want | VK_MEMORY_PROPERTY_HOST_CACHED_BIT;
		break;
	}
	int mt = find_memory(c, req.memoryTypeBits, want, prefer | want, avoid);
	if (mt < 0) {
		vkDestroyBuffer(c->dev, b->buf, NULL);
		free(b);
		setmsg(msg, "no memory type for buffer kind %d", kind);
		return VK_ERROR_OUT_OF_DEVICE_MEMORY;
	}
	VkMemoryAllocateInfo ai = {.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
	                           .allocationSize = req.size,
	                           .memoryTypeIndex = (uint32_t)mt};
	r = vkAllocateMemory(c->dev, &ai, NULL, &b->mem);
	if (r != VK_SUCCESS) {
		vkDestroyBuffer(c->dev, b->buf, NULL);
		free(b);
		setmsg(msg, "vkAllocateMemory of %llu bytes failed", (unsigned long long)req.size);
		return r;
	}
	r = vkBindBufferMemory(c->dev, b->buf, b->mem, 0);
	if (r == VK_SUCCESS && (c->mp.memoryTypes[mt].propertyFlags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) &&
	    kind != UPX_BUF_DEVICE)
		r = vkMapMemory(c->dev, b->mem, 0, VK_WHOLE_SIZE, 0, &b->mapped);
	if (r != VK_SUCCESS) {
		setmsg(msg, "binding or mapping buffer memory failed");
		upx_buffer_destroy(c, (uintptr_t)b);
		return r;
	}
	*out = (uintptr_t)b;
	if (mapped) *mapped = b->mapped;
	return VK_SUCCESS;
}

void upx_buffer_destroy(upx_ctx *c, uintptr_t h) {
	upx_buffer *b = (upx_buffer *)h;
	if (!b) return;
	if (b->mapped) vkUnmapMemory(c->dev, b->mem);
	vkDestroyBuffer(c->dev, b->buf, NULL);
	vkFreeMemory(c->dev, b->mem, NULL);
	free(b);
}

static VkResult one_shot_begin(upx_ctx *c, VkCommandBuffer *cmd) {
	VkCommandBufferAllocateInfo ai = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
	                                  .commandPool = c->cmdpool,
	                                  .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
	                                  .commandBufferCount = 1};
	VkResult r = vkAllocateCommandBuffers(c->dev, &ai, cmd);
	if (r != VK_SUCCESS) return r;
	VkCommandBufferBeginInfo bi = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
	                               .flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT};
	return vkBeginCommandBuffer(*cmd, &bi);
}

int upx_buffer_upload(upx_ctx *c, uintptr_t dst, uint64_t off, const void *src, uint64_t size, char *msg) {
	upx_buffer *d = (upx_buffer *)dst;
	if (off + size > d->size) {
		setmsg(msg, "upload of %llu bytes at %llu overflows a %llu-byte buffer", (unsigned long long)size,
		       (unsigned long long)off, (unsigned long long)d->size);
		return VK_ERROR_UNKNOWN;
	}
	uintptr_t sh;
	void *mapped;
	VkResult r = upx_buffer_create(c, size, UPX_BUF_UPLOAD, &sh, &mapped, msg);
	if (r != VK_SUCCESS) return r;
	memcpy(mapped, src, size);
	upx_buffer *s = (upx_buffer *)sh;
	pthread_mutex_lock(&c->mu);
	VkCommandBuffer cmd;
	r = one_shot_begin(c, &cmd);
	if (r == VK_SUCCESS) {
		VkBufferCopy region = {.srcOffset = 0, .dstOffset = off, .size = size};
		vkCmdCopyBuffer(cmd, s->buf, d->buf, 1, &region);
		VkMemoryBarrier mb = {.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
		                      .srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT,
		                      .dstAccessMask = VK_ACCESS_SHADER_READ_BIT};
		vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &mb, 0,
		                     NULL, 0, NULL);
		r = vkEndCommandBuffer(cmd);
		if (r == VK_SUCCESS) {
			// Uploads go to queue 0 and are waited for here.
			c->next_value[0]++;
			uint64_t v = c->next_value[0];
			VkTimelineSemaphoreSubmitInfo ts = {.sType = VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO,
			                                    .signalSemaphoreValueCount = 1,
			                                    .pSignalSemaphoreValues = &v};
			VkSubmitInfo si = {.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
			                   .pNext = &ts,
			                   .commandBufferCount = 1,
			                   .pCommandBuffers = &cmd,
			                   .signalSemaphoreCount = 1,
			                   .pSignalSemaphores = &c->timeline[0]};
			r = vkQueueSubmit(c->queue[0], 1, &si, VK_NULL_HANDLE);
			if (r == VK_SUCCESS) {
				VkSemaphoreWaitInfo wi = {.sType = VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO,
				                          .semaphoreCount = 1,
				                          .pSemaphores = &c->timeline[0],
				                          .pValues = &v};
				r = vkWaitSemaphores(c->dev, &wi, UINT64_MAX);
				if (r == VK_SUCCESS) c->upload_value = v;
			}
		}
		vkFreeCommandBuffers(c->dev, c->cmdpool, 1, &cmd);
	}
	pthread_mutex_unlock(&c->mu);
	upx_buffer_destroy(c, sh);
	if (r != VK_SUCCESS) setmsg(msg, "uploading %llu bytes failed", (unsigned long long)size);
	return r;
}

// ---- pipelines ----

// print_pipestats writes the driver's statistics of pipeline pipe (one line).
static void print_pipestats(upx_ctx *c, VkPipeline pipe) {
	PFN_vkGetPipelineExecutableStatisticsKHR stats =
	    (PFN_vkGetPipelineExecutableStatisticsKHR)vkGetDeviceProcAddr(c->dev, "vkGetPipelineExecutableStatisticsKHR");
	if (!stats) return;
	VkPipelineExecutableInfoKHR ei = {
	    .sType = VK_STRUCTURE_TYPE_PIPELINE_EXECUTABLE_INFO_KHR, .pipeline = pipe, .executableIndex = 0};
	uint32_t n = 0;
	if (stats(c->dev, &ei, &n, NULL) != VK_SUCCESS || n == 0) return;
	VkPipelineExecutableStatisticKHR *st = calloc(n, sizeof *st);
	for (uint32_t i = 0; i < n; i++) st[i].sType = VK_STRUCTURE_TYPE_PIPELINE_EXECUTABLE_STATISTIC_KHR;
	if (stats(c->dev, &ei, &n, st) == VK_SUCCESS) {
		fprintf(stderr, "  pipestats:");
		for (uint32_t i = 0; i < n; i++) {
			switch (st[i].format) {
			case VK_PIPELINE_EXECUTABLE_STATISTIC_FORMAT_BOOL32_KHR:
				fprintf(stderr, " %s=%u;", st[i].name, st[i].value.b32);
				break;
			case VK_PIPELINE_EXECUTABLE_STATISTIC_FORMAT_INT64_KHR:
				fprintf(stderr, " %s=%lld;", st[i].name, (long long)st[i].value.i64);
				break;
			case VK_PIPELINE_EXECUTABLE_STATISTIC_FORMAT_UINT64_KHR:
				fprintf(stderr, " %s=%llu;", st[i].name, (unsigned long long)st[i].value.u64);
				break;
			case VK_PIPELINE_EXECUTABLE_STATISTIC_FORMAT_FLOAT64_KHR:
				fprintf(stderr, " %s=%g;", st[i].name, st[i].value.f64);
				break;
			default:
				break;
			}
		}
		fprintf(stderr, "\n");
	}
	free(st);
}

int upx_pipeline_create(upx_ctx *c, const uint32_t *spirv, size_t words, uint32_t nbind, uint32_t push_words,
                        const uint32_t *spec, uint32_t nspec, uintptr_t *out, char *msg) {
	if (nbind > UPX_MAX_BIND || push_words > UPX_MAX_PUSH) {
		setmsg(msg, "pipeline with %u bindings and %u push words exceeds %d/%d", nbind, push_words, UPX_MAX_BIND,
		       UPX_MAX_PUSH);
		return VK_ERROR_UNKNOWN;
	}
	upx_pipeline *p = calloc(1, sizeof *p);
	p->nbind = nbind;
	p->push_words = push_words;
	VkDescriptorSetLayoutBinding b[UPX_MAX_BIND];
	for (uint32_t i = 0; i < nbind; i++) {
		b[i] = (VkDescriptorSetLayoutBinding){.binding = i,
		                                      .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
		                                      .descriptorCount = 1,
		                                      .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT};
	}
	VkDescriptorSetLayoutCreateInfo dli = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
	                                       .bindingCount = nbind,
	                                       .pBindings = b};
	VkResult r = vkCreateDescriptorSetLayout(c->dev, &dli, NULL, &p->dsl);
	VkPushConstantRange pr = {.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT, .offset = 0, .size = push_words * 4};
	if (r == VK_SUCCESS) {
		VkPipelineLayoutCreateInfo pli = {.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
		                                  .setLayoutCount = 1,
		                                  .pSetLayouts = &p->dsl,
		                                  .pushConstantRangeCount = push_words ? 1 : 0,
		                                  .pPushConstantRanges = &pr};
		r = vkCreatePipelineLayout(c->dev, &pli, NULL, &p->layout);
	}
	VkShaderModule mod = VK_NULL_HANDLE;
	if (r == VK_SUCCESS) {
		VkShaderModuleCreateInfo mi = {.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
		                               .codeSize = words * 4,
		                               .pCode = spirv};
		r = vkCreateShaderModule(c->dev, &mi, NULL, &mod);
	}
	if (r == VK_SUCCESS) {
		VkSpecializationMapEntry *me = calloc(nspec ? nspec : 1, sizeof *me);
		for (uint32_t i = 0; i < nspec; i++) me[i] = (VkSpecializationMapEntry){i, i * 4, 4};
		VkSpecializationInfo si = {.mapEntryCount = nspec, .pMapEntries = me, .dataSize = nspec * 4, .pData = spec};
		VkComputePipelineCreateInfo ci = {
		    .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
		    .stage = {.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
		              .stage = VK_SHADER_STAGE_COMPUTE_BIT,
		              .module = mod,
		              .pName = "main",
		              .pSpecializationInfo = nspec ? &si : NULL},
		    .layout = p->layout};
		if (c->pipestats) ci.flags |= VK_PIPELINE_CREATE_CAPTURE_STATISTICS_BIT_KHR;
		r = vkCreateComputePipelines(c->dev, VK_NULL_HANDLE, 1, &ci, NULL, &p->pipe);
		if (r == VK_SUCCESS && c->pipestats) print_pipestats(c, p->pipe);
		free(me);
		vkDestroyShaderModule(c->dev, mod, NULL);
	}
	if (r != VK_SUCCESS) {
		setmsg(msg, "creating a compute pipeline failed");
		upx_pipeline_destroy(c, (uintptr_t)p);
		return r;
	}
	*out = (uintptr_t)p;
	return VK_SUCCESS;
}

void upx_pipeline_destroy(upx_ctx *c, uintptr_t h) {
	upx_pipeline *p = (upx_pipeline *)h;
	if (!p) return;
	if (p->pipe) vkDestroyPipeline(c->dev, p->pipe, NULL);
	if (p->layout) vkDestroyPipelineLayout(c->dev, p->layout, NULL);
	if (p->dsl) vkDestroyDescriptorSetLayout(c->dev, p->dsl, NULL);
	free(p);
}

// ---- command buffers ----

int upx_cmd_record(upx_ctx *c, const upx_dispatch *d, uint32_t n, int timestamps, uintptr_t *out, char *msg) {
	upx_cmd *uc = calloc(1, sizeof *uc);
	uint32_t nsets = n ? n : 1, ndesc = 0;
	for (uint32_t i = 0; i < n; i++) ndesc += d[i].nbind;
	VkDescriptorPoolSize ps = {.type = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, .descriptorCount = ndesc ? ndesc : 1};
	VkDescriptorPoolCreateInfo pi = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
	                                 .maxSets = nsets,
	                                 .poolSizeCount = 1,
	                                 .pPoolSizes = &ps};
	VkResult r = vkCreateDescriptorPool(c->dev, &pi, NULL, &uc->pool);
	if (r != VK_SUCCESS) {
		free(uc);
		setmsg(msg, "vkCreateDescriptorPool for %u sets failed", nsets);
		return r;
	}
	if (timestamps) {
		uc->nqueries = n + 1;
		VkQueryPoolCreateInfo qi = {.sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO,
		                            .queryType = VK_QUERY_TYPE_TIMESTAMP,
		                            .queryCount = uc->nqueries};
		r = vkCreateQueryPool(c->dev, &qi, NULL, &uc->queries);
		if (r != VK_SUCCESS) {
			vkDestroyDescriptorPool(c->dev, uc->pool, NULL);
			free(uc);
			setmsg(msg, "vkCreateQueryPool for %u timestamps failed", n + 1);
			return r;
		}
	}
	pthread_mutex_lock(&c->mu);
	VkCommandBufferAllocateInfo ai = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
	                                  .commandPool = c->cmdpool,
	                                  .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
	                                  .commandBufferCount = 1};
	r = vkAllocateCommandBuffers(c->dev, &ai, &uc->cmd);
	if (r == VK_SUCCESS) {
		VkCommandBufferBeginInfo bi = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
		r = vkBeginCommandBuffer(uc->cmd, &bi);
	}
	if (r == VK_SUCCESS && uc->queries) {
		vkCmdResetQueryPool(uc->cmd, uc->queries, 0, uc->nqueries);
		vkCmdWriteTimestamp(uc->cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, uc->queries, 0);
	}
	for (uint32_t i = 0; r == VK_SUCCESS && i < n; i++) {
		const upx_dispatch *x = &d[i];
		upx_pipeline *p = (upx_pipeline *)x->pipeline;
		if (x->nbind != p->nbind) {
			setmsg(msg, "dispatch %u binds %u buffers, its pipeline takes %u", i, x->nbind, p->nbind);
			r = VK_ERROR_UNKNOWN;
			break;
		}
		VkDescriptorSet set;
		VkDescriptorSetAllocateInfo si = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
		                                  .descriptorPool = uc->pool,
		                                  .descriptorSetCount = 1,
		                                  .pSetLayouts = &p->dsl};
		r = vkAllocateDescriptorSets(c->dev, &si, &set);
		if (r != VK_SUCCESS) {
			setmsg(msg, "vkAllocateDescriptorSets failed at dispatch %u", i);
			break;
		}
		VkDescriptorBufferInfo bi[UPX_MAX_BIND];
		VkWriteDescriptorSet w[UPX_MAX_BIND];
		for (uint32_t k = 0; k < x->nbind; k++) {
			bi[k] = (VkDescriptorBufferInfo){.buffer = ((upx_buffer *)x->buf[k])->buf,
			                                 .offset = x->off[k],
			                                 .range = x->size[k]};
			w[k] = (VkWriteDescriptorSet){.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
			                              .dstSet = set,
			                              .dstBinding = k,
			                              .descriptorCount = 1,
			                              .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
			                              .pBufferInfo = &bi[k]};
		}
		vkUpdateDescriptorSets(c->dev, x->nbind, w, 0, NULL);
		if (x->barrier) {
			VkMemoryBarrier mb = {.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
			                      .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_SHADER_READ_BIT,
			                      .dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT};
			vkCmdPipelineBarrier(uc->cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0,
			                     1, &mb, 0, NULL, 0, NULL);
		}
		vkCmdBindPipeline(uc->cmd, VK_PIPELINE_BIND_POINT_COMPUTE, p->pipe);
		vkCmdBindDescriptorSets(uc->cmd, VK_PIPELINE_BIND_POINT_COMPUTE, p->layout, 0, 1, &set, 0, NULL);
		if (p->push_words)
			vkCmdPushConstants(uc->cmd, p->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, p->push_words * 4, x->push);
		vkCmdDispatch(uc->cmd, x->groups[0], x->groups[1], x->groups[2]);
		if (uc->queries) vkCmdWriteTimestamp(uc->cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, uc->queries, i + 1);
	}
	if (r == VK_SUCCESS) {
		// Host writes are visible at submit; results become host-visible here.
		VkMemoryBarrier mb = {.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
		                      .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT,
		                      .dstAccessMask = VK_ACCESS_HOST_READ_BIT | VK_ACCESS_SHADER_READ_BIT |
		                                       VK_ACCESS_SHADER_WRITE_BIT};
		vkCmdPipelineBarrier(uc->cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
		                     VK_PIPELINE_STAGE_HOST_BIT | VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &mb, 0, NULL, 0,
		                     NULL);
		r = vkEndCommandBuffer(uc->cmd);
		if (r != VK_SUCCESS) setmsg(msg, "vkEndCommandBuffer failed");
	} else if (msg && !msg[0]) {
		setmsg(msg, "recording %u dispatches failed", n);
	}
	pthread_mutex_unlock(&c->mu);
	if (r != VK_SUCCESS) {
		upx_cmd_destroy(c, (uintptr_t)uc);
		return r;
	}
	*out = (uintptr_t)uc;
	return VK_SUCCESS;
}

void upx_cmd_destroy(upx_ctx *c, uintptr_t h) {
	upx_cmd *uc = (upx_cmd *)h;
	if (!uc) return;
	pthread_mutex_lock(&c->mu);
	if (uc->cmd) vkFreeCommandBuffers(c->dev, c->cmdpool, 1, &uc->cmd);
	pthread_mutex_unlock(&c->mu);
	if (uc->pool) vkDestroyDescriptorPool(c->dev, uc->pool, NULL);
	if (uc->queries) vkDestroyQueryPool(c->dev, uc->queries, NULL);
	free(uc);
}

int upx_cmd_timestamps(upx_ctx *c, uintptr_t h, uint64_t *ticks, uint32_t n, char *msg) {
	upx_cmd *uc = (upx_cmd *)h;
	if (!uc->queries || n != uc->nqueries) {
		setmsg(msg, "%u timestamps asked of a command buffer recorded with %u", n, uc->nqueries);
		return VK_ERROR_UNKNOWN;
	}
	VkResult r = vkGetQueryPoolResults(c->dev, uc->queries, 0, n, n * sizeof *ticks, ticks, sizeof *ticks,
	                                   VK_QUERY_RESULT_64_BIT);
	if (r != VK_SUCCESS) setmsg(msg, "reading %u timestamps failed", n);
	return r;
}

int upx_submit(upx_ctx *c, uint32_t q, const uintptr_t *cmds, uint32_t n, uint32_t after_q, uint64_t after_value,
               uint64_t *value, char *msg) {
	VkCommandBuffer cb[64];
	if (n == 0 || n > 64) {
		setmsg(msg, "submit of %u command buffers (1..64)", n);
		return VK_ERROR_UNKNOWN;
	}
	if (q >= c->nqueues || (after_value && after_q >= c->nqueues)) {
		setmsg(msg, "submit to queue %u after queue %u (%u queues)", q, after_q, c->nqueues);
		return VK_ERROR_UNKNOWN;
	}
	for (uint32_t i = 0; i < n; i++) cb[i] = ((upx_cmd *)cmds[i])->cmd;
	pthread_mutex_lock(&c->mu);
	uint64_t v = c->next_value[q] + 1;
	VkSemaphore waits[2];
	uint64_t wait_values[2];
	VkPipelineStageFlags stages[2] = {VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT};
	uint32_t nwait = 0;
	if (q != 0 && c->upload_value) {
		waits[nwait] = c->timeline[0];
		wait_values[nwait++] = c->upload_value;
	}
	if (after_value && after_q != q) {
		waits[nwait] = c->timeline[after_q];
		wait_values[nwait++] = after_value;
	}
	VkTimelineSemaphoreSubmitInfo ts = {.sType = VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO,
	                                    .waitSemaphoreValueCount = nwait,
	                                    .pWaitSemaphoreValues = wait_values,
	                                    .signalSemaphoreValueCount = 1,
	                                    .pSignalSemaphoreValues = &v};
	VkSubmitInfo si = {.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
	                   .pNext = &ts,
	                   .waitSemaphoreCount = nwait,
	                   .pWaitSemaphores = waits,
	                   .pWaitDstStageMask = stages,
	                   .commandBufferCount = n,
	                   .pCommandBuffers = cb,
	                   .signalSemaphoreCount = 1,
	                   .pSignalSemaphores = &c->timeline[q]};
	VkResult r = vkQueueSubmit(c->queue[q], 1, &si, VK_NULL_HANDLE);
	if (r == VK_SUCCESS) c->next_value[q] = v;
	pthread_mutex_unlock(&c->mu);
	if (r != VK_SUCCESS) {
		setmsg(msg, "vkQueueSubmit to queue %u failed", q);
		return r;
	}
	*value = v;
	return VK_SUCCESS;
}

int upx_wait(upx_ctx *c, uint32_t q, uint64_t value, uint64_t timeout_ns, char *msg) {
	if (q >= c->nqueues) {
		setmsg(msg, "wait on queue %u of %u", q, c->nqueues);
		return VK_ERROR_UNKNOWN;
	}
	VkSemaphoreWaitInfo wi = {.sType = VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO,
	                          .semaphoreCount = 1,
	                          .pSemaphores = &c->timeline[q],
	                          .pValues = &value};
	VkResult r = vkWaitSemaphores(c->dev, &wi, timeout_ns);
	// An injected failure replaces a completed wait only, so that nothing
	// freed after it is still executing.
	VkResult injected = r == VK_SUCCESS ? fault_wait() : VK_SUCCESS;
	if (injected != VK_SUCCESS) {
		setmsg(msg, "waiting for timeline value %llu failed (injected)", (unsigned long long)value);
		return injected;
	}
	if (r != VK_SUCCESS && r != VK_TIMEOUT) setmsg(msg, "waiting for timeline value %llu failed", (unsigned long long)value);
	return r;
}
