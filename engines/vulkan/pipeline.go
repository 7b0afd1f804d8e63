package vulkan

import (
	"fmt"
	"os"
	"strings"
)

// pipeline returns the cached pipeline for shader name with spec constants.
func (s *devState) pipeline(name string, nbind, pushWords int, spec []uint32) (uintptr, error) {
	var key strings.Builder
	fmt.Fprintf(&key, "%s/%d/%d", name, nbind, pushWords)
	for _, v := range spec {
		fmt.Fprintf(&key, ",%d", v)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gone {
		return 0, resultError(vkErrorDeviceLost, "device context destroyed")
	}
	if h, ok := s.pipes[key.String()]; ok {
		return h, nil
	}
	if s.cfg.PipeStats {
		fmt.Fprintf(os.Stderr, "vulkan pipeline %s spec %v\n", name, spec) // the C layer prints its statistics next
	}
	code, err := shaderCode(name, s.fp16)
	if err != nil {
		return 0, err
	}
	h, err := s.ctx.pipelineCreate(code, nbind, pushWords, spec)
	if err != nil {
		return 0, fmt.Errorf("shader %s: %w", name, err)
	}
	s.pipes[key.String()] = h
	return h, nil
}

func (s *devState) record(ds []dispatchRec) (uintptr, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gone {
		return 0, resultError(vkErrorDeviceLost, "device context destroyed")
	}
	h, err := s.ctx.cmdRecord(ds, s.cfg.Profile && s.dev.TimestampPeriod > 0)
	if err != nil {
		return 0, err
	}
	s.cmds[h] = struct{}{}
	return h, nil
}

func (s *devState) freeCmd(h uintptr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.cmds[h]; ok {
		delete(s.cmds, h)
		s.ctx.cmdDestroy(h)
	}
}
