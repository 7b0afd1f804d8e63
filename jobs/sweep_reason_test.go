package jobs

import (
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"
)

// TestAbandonedReason: the reason a given-up page's item records says what
// ended it, the attempts, the limit and the settings involved.
func TestAbandonedReason(t *testing.T) {
	lost := rivertype.AttemptError{Error: "Stuck job rescued by JobRescuer"}
	panicked := rivertype.AttemptError{Error: "boom", Trace: "goroutine 1 [running]:"}
	failed := rivertype.AttemptError{Error: "jobs: job store busy"}
	tests := []struct {
		name string
		page abandonedPage
		want []string
	}{
		{"lost each time", abandonedPage{state: rivertype.JobStateDiscarded, attempt: 3, maxAttempts: 3, errors: []rivertype.AttemptError{lost, lost, lost}},
			[]string{"given up after 3 attempts, the limit (UPSCALED_JOB_MAX_ATTEMPTS=3)", "node running it was lost each time", "UPSCALED_JOB_RESCUE_AFTER=2m0s"}},
		{"lost last", abandonedPage{state: rivertype.JobStateDiscarded, attempt: 3, maxAttempts: 3, errors: []rivertype.AttemptError{failed, panicked, lost}},
			[]string{"after 3 attempts", "lost on the last one"}},
		{"lost twice", abandonedPage{state: rivertype.JobStateDiscarded, attempt: 3, maxAttempts: 3, errors: []rivertype.AttemptError{lost, failed, lost}},
			[]string{"lost on 2 of them, the last included"}},
		{"panic each time", abandonedPage{state: rivertype.JobStateDiscarded, attempt: 2, maxAttempts: 2, errors: []rivertype.AttemptError{panicked, panicked}},
			[]string{"after 2 attempts", "worker crashed (panic) each time"}},
		{"panic after a lost node", abandonedPage{state: rivertype.JobStateDiscarded, attempt: 2, maxAttempts: 2, errors: []rivertype.AttemptError{lost, panicked}},
			[]string{"(panic) on the last one; before it, the node running it was lost 1 time"}},
		{"unrecorded failure", abandonedPage{state: rivertype.JobStateDiscarded, attempt: 1, maxAttempts: 1, errors: []rivertype.AttemptError{failed}},
			[]string{"after 1 attempt, the limit (UPSCALED_JOB_MAX_ATTEMPTS=1)", "its last attempt failed before its end could be recorded"}},
		{"discarded early", abandonedPage{state: rivertype.JobStateDiscarded, attempt: 1, maxAttempts: 20, errors: []rivertype.AttemptError{lost}},
			[]string{"after 1 attempt of at most 20 (UPSCALED_JOB_MAX_ATTEMPTS)"}},
		{"canceled", abandonedPage{state: rivertype.JobStateCancelled, attempt: 0, maxAttempts: 20},
			[]string{"canceled in the fleet's queue, not by deleting the job, after 0 attempts (at most 20"}},
	}
	for _, tt := range tests {
		got := tt.page.reason(2 * time.Minute)
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", tt.name, got, w)
			}
		}
		if strings.Contains(got, "boom") || strings.Contains(got, "busy") || strings.Contains(got, "goroutine") {
			t.Errorf("%s: %q shows an internal error", tt.name, got)
		}
	}
}
