package metrics

import (
	"testing"
	"time"
)

// BenchmarkObserve is what counting costs each request: the code's counter, found by its labels,
// and the latency histogram. go test ./metrics -run '^$' -bench Observe -count 5
func BenchmarkObserve(b *testing.B) {
	op := New("bench").Operation(ProgressOperation)
	for b.Loop() {
		op.Observe(200, 40*time.Microsecond)
	}
}
