package openapi

// The general API information swag puts at the top of the spec (swag reads
// this file as its -g general-info file).
//
//	@title						upscaled API
//	@version					1
//	@description				Upscale manga and comic pages with Real-CUGAN and Real-ESRGAN models. POST /v1/upscale answers one image with the upscaled image; POST /v1/jobs takes a batch and answers a job to follow (GET /v1/jobs/{id}, its Server-Sent Events) and download (one item, or all as a zip). Errors are application/problem+json (RFC 9457) with a detail naming the field or limit at fault.
//	@BasePath					/
//	@schemes					http https
//	@tag.name					upscale
//	@tag.description			One image in, the upscaled image out.
//	@tag.name					models
//	@tag.description			The model catalog and what is installed.
//	@tag.name					jobs
//	@tag.description			Batches: submit many images, follow the job, download the results one by one or as a zip.
//	@tag.name					health
//	@tag.description			Liveness, readiness and metrics; never need a key, never wait for memory.
//	@tag.name					docs
//	@tag.description			This description and the page that renders it.
//	@tag.name					web
//	@tag.description			The browser upload page.
//	@securityDefinitions.apikey	BearerKey
//	@in							header
//	@name						Authorization
//	@description				"Bearer KEY". Required on every /v1 route when the server is started with API keys (UPSCALED_API_KEYS); otherwise ignored.
