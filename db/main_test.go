package db

import (
	"flag"
	"os"
	"testing"
)

var maxBatchFlag = flag.Int("maxbatch", 0, "how many writes may share a transaction, if not maxBatch: 1 turns group commit off")

func TestMain(m *testing.M) {
	flag.Parse()
	if *maxBatchFlag > 0 {
		maxBatch = *maxBatchFlag
	}
	os.Exit(m.Run())
}
