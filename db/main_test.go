package db

import (
	"flag"
	"os"
	"testing"
	"time"
)

var maxBatchFlag = flag.Int("maxbatch", 0, "how many writes may share a transaction, if not maxBatch: 1 turns group commit off")

func TestMain(m *testing.M) {
	flag.Parse()
	if *maxBatchFlag > 0 {
		maxBatch = *maxBatchFlag
	}
	os.Exit(m.Run())
}

// passFakeTime lets d pass on a synctest bubble's fake clock: the clock jumps once every
// goroutine in the bubble waits, so no real time passes.
func passFakeTime(d time.Duration) { <-time.After(d) }
