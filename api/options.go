package api

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/go-playground/validator/v10"

	"github.com/upscaled/upscaled/imaging"
	"github.com/upscaled/upscaled/models"
	"github.com/upscaled/upscaled/upscale"
)

// UpscaleOptions are the options of POST /v1/upscale, given as multipart
// form fields or query parameters; POST /v1/jobs applies the same options to
// every item. Pointers distinguish "absent" from zero. The binding:"optional"
// tags tell swag (the spec is generated with --requiredByDefault) that every
// option may be left out; default and example tags only document.
type UpscaleOptions struct {
	// Model is a catalog id (default realcugan-up2x-conservative).
	Model string `form:"model" binding:"optional" example:"realcugan-up2x-conservative" validate:"omitempty,max=100,excluded_with=Preset Scale Denoise Family"`
	// Preset is the origin system's letter for a Real-CUGAN 2x model: F
	// (no denoise), E (denoise 1x), Q (denoise 2x), H (denoise 3x).
	Preset string `form:"preset" binding:"optional" validate:"omitempty,oneof=F E Q H,excluded_with=Scale Denoise Family"`
	// Scale 1..4 with Denoise and Family selects a model.
	Scale *int `form:"scale" binding:"optional" validate:"omitempty,min=1,max=4"`
	// Denoise -1 (conservative) .. 3 (Real-CUGAN only).
	Denoise *int `form:"denoise" binding:"optional" validate:"omitempty,min=-1,max=3"`
	// Family realcugan (default) or realesrgan.
	Family string `form:"family" binding:"optional" validate:"omitempty,oneof=realcugan realesrgan"`
	// Format of the output: webp (default), png, jpeg or same (as the input).
	Format string `form:"format" binding:"optional" default:"webp" validate:"omitempty,oneof=webp png jpeg same"`
	// Quality 1..100 for lossy output (default 90).
	Quality *int `form:"quality" binding:"optional" default:"90" validate:"omitempty,min=1,max=100"`
	// Lossless WebP output.
	Lossless *bool `form:"lossless" binding:"optional"`
	// Effort 0..6 of the PNG and WebP encoders: more is smaller and slower.
	// PNG: deflate level 1, 2, 3, 4, 5, 6, 9 (default 1). WebP: libwebp
	// method 0..6 (default 0, the fastest; 6 is about 14 % smaller at 8x
	// the time), lossless preset 0, 1, 2, 3, 5, 7, 9. JPEG ignores it.
	Effort *int `form:"effort" binding:"optional" validate:"omitempty,min=0,max=6"`
	// Subsampling of JPEG chroma: 420 (default), 422 or 444 (full-resolution colour).
	Subsampling string `form:"subsampling" binding:"optional" default:"420" enums:"420,422,444" validate:"omitempty,oneof=420 422 444"`
	// Tile side in input pixels; 0 chooses automatically.
	Tile *int `form:"tile" binding:"optional" validate:"omitempty,min=0,max=16384"`
	// TTA averages 8 flips/transposes (8x slower).
	TTA *bool `form:"tta" binding:"optional"`
}

var validate = validator.New(validator.WithRequiredStructEnabled())

// optionFields are the accepted field names, in documentation order.
var optionFields = []string{"model", "preset", "scale", "denoise", "family", "format", "quality", "lossless", "effort", "subsampling", "tile", "tta"}

// ParseOptions reads and validates the upscale options from form values or
// query parameters. Names in extra are accepted and left to the caller; any
// other unknown name is an error naming it.
func ParseOptions(v url.Values, extra ...string) (upscale.Options, error) {
	wire, err := decodeOptions(v, extra...)
	if err != nil {
		return upscale.Options{}, err
	}
	if err := validate.Struct(wire); err != nil {
		return upscale.Options{}, validationError(err, wire)
	}
	return wire.resolve()
}

func decodeOptions(v url.Values, extra ...string) (*UpscaleOptions, error) {
	var o UpscaleOptions
	names := make([]string, 0, len(v))
	for name := range v {
		names = append(names, name)
	}
	sort.Strings(names) // deterministic: the first bad field in name order is reported
	for _, name := range names {
		vals := v[name]
		if containsString(extra, name) {
			continue
		}
		if !containsString(optionFields, name) {
			return nil, badRequest(name, "unknown field %q (accepted: %s)", name, strings.Join(optionFields, ", "))
		}
		if len(vals) != 1 {
			return nil, badRequest(name, "field %q given %d times; give it once", name, len(vals))
		}
		val := strings.TrimSpace(vals[0])
		var err error
		switch name {
		case "model":
			o.Model = val
		case "preset":
			o.Preset = strings.ToUpper(val)
		case "family":
			o.Family = strings.ToLower(val)
		case "format":
			o.Format = strings.ToLower(val)
			if f, err := imaging.ParseFormat(val); err == nil {
				o.Format = string(f) // jpg is jpeg
			}
		case "scale":
			o.Scale, err = parseInt(name, val)
		case "denoise":
			o.Denoise, err = parseInt(name, val)
		case "quality":
			o.Quality, err = parseInt(name, val)
		case "effort":
			o.Effort, err = parseInt(name, val)
		case "subsampling":
			o.Subsampling = strings.ReplaceAll(val, ":", "") // 4:2:0 = 420
		case "tile":
			o.Tile, err = parseInt(name, val)
		case "lossless":
			o.Lossless, err = parseBool(name, val)
		case "tta":
			o.TTA, err = parseBool(name, val)
		}
		if err != nil {
			return nil, err
		}
	}
	return &o, nil
}

func parseInt(name, s string) (*int, error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		return nil, badRequest(name, "%s must be an integer, got %q", name, s)
	}
	return &n, nil
}

func parseBool(name, s string) (*bool, error) {
	if s == "" || s == "on" { // a bare checkbox or "?tta"
		b := true
		return &b, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return nil, badRequest(name, "%s must be true or false, got %q", name, s)
	}
	return &b, nil
}

// validationError turns the first validator failure into a 400 naming the
// field and the rule in words.
func validationError(err error, o *UpscaleOptions) error {
	var ve validator.ValidationErrors
	if !errors.As(err, &ve) || len(ve) == 0 {
		return badRequest("", "invalid options: %v", err)
	}
	fe := ve[0]
	field := formName(fe.StructField())
	var msg string
	switch fe.Tag() {
	case "oneof":
		msg = fmt.Sprintf("%s must be one of: %s", field, strings.ReplaceAll(fe.Param(), " ", ", "))
	case "min":
		msg = fmt.Sprintf("%s must be at least %s, got %v", field, fe.Param(), deref(fe.Value()))
	case "max":
		if fe.Kind().String() == "string" {
			msg = fmt.Sprintf("%s must be at most %s characters", field, fe.Param())
		} else {
			msg = fmt.Sprintf("%s must be at most %s, got %v", field, fe.Param(), deref(fe.Value()))
		}
	case "excluded_with":
		var others []string
		for _, f := range strings.Fields(fe.Param()) {
			if o.present(f) {
				others = append(others, formName(f))
			}
		}
		msg = fmt.Sprintf("%s cannot be combined with %s: choose a model id, or a preset, or scale/denoise/family", field, strings.Join(others, " and "))
	default:
		msg = fmt.Sprintf("%s is invalid (%s)", field, fe.Tag())
	}
	return badRequest(field, "%s", msg)
}

// present reports whether the named option (struct field) was given.
func (o *UpscaleOptions) present(field string) bool {
	switch field {
	case "Model":
		return o.Model != ""
	case "Preset":
		return o.Preset != ""
	case "Scale":
		return o.Scale != nil
	case "Denoise":
		return o.Denoise != nil
	case "Family":
		return o.Family != ""
	}
	return false
}

func formName(structField string) string {
	if structField == "TTA" {
		return "tta"
	}
	return strings.ToLower(structField)
}

func deref(v any) any {
	switch p := v.(type) {
	case *int:
		if p != nil {
			return *p
		}
	case int:
		return p
	}
	return v
}

// resolve turns validated wire options into pipeline options with the model
// chosen and defaults applied.
func (o *UpscaleOptions) resolve() (upscale.Options, error) {
	out := upscale.Options{Format: o.Format, Quality: imaging.DefaultQuality}
	if out.Format == "" {
		out.Format = "webp"
	}
	if o.Quality != nil {
		out.Quality = *o.Quality
	}
	if o.Lossless != nil {
		out.Lossless = *o.Lossless
	}
	out.Effort = o.Effort
	out.Subsampling = o.Subsampling
	if o.Tile != nil {
		out.Tile = *o.Tile
	}
	if o.TTA != nil {
		out.TTA = *o.TTA
	}
	switch {
	case o.Model != "":
		info, err := models.Lookup(o.Model)
		if err != nil {
			return upscale.Options{}, &statusError{status: 400, slug: "unknown-model", field: "model", detail: err.Error(), err: err}
		}
		out.Model = info.ID
	case o.Preset != "":
		out.Model = models.Presets[o.Preset]
	case o.Scale != nil || o.Denoise != nil || o.Family != "":
		scale, denoise := 2, -1
		if o.Scale != nil {
			scale = *o.Scale
		}
		family := models.Family(o.Family)
		if family == models.RealESRGAN {
			denoise = 0
		}
		if o.Denoise != nil {
			denoise = *o.Denoise
		}
		info, err := models.Resolve(family, scale, denoise)
		if err != nil {
			return upscale.Options{}, &statusError{status: 400, slug: "unknown-model", field: "scale", err: err,
				detail: fmt.Sprintf("%v: choose scale/denoise/family from GET /v1/models", err)}
		}
		out.Model = info.ID
	default:
		out.Model = models.DefaultModel
	}
	return out, nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
