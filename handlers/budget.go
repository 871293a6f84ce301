package handlers

import (
	"context"
	"sync"
	"time"
)

// byteBudget bounds the bytes of request bodies that requests hold at once: without it, every
// request could hold a body of bodyLimit, and a hundred of them more than a gigabyte. A request
// takes its body's size before reading it and gives it back when its handler is done.
type byteBudget struct {
	mu      sync.Mutex
	free    int64
	waiting int
	freed   chan struct{} // closed, and replaced, when bytes are given back while some wait
}

func newByteBudget(n int64) *byteBudget {
	return &byteBudget{free: n, freed: make(chan struct{})}
}

// take takes n bytes, waiting for them at most wait, and reports whether it took them. It gives
// up early when ctx is done.
func (b *byteBudget) take(ctx context.Context, n int64, wait time.Duration) bool {
	var timeout <-chan time.Time
	for {
		b.mu.Lock()
		if n <= b.free {
			b.free -= n
			b.mu.Unlock()
			return true
		}
		b.waiting++
		freed := b.freed
		b.mu.Unlock()
		if timeout == nil {
			t := time.NewTimer(wait)
			defer t.Stop()
			timeout = t.C
		}
		ok := true
		select {
		case <-freed:
		case <-timeout:
			ok = false
		case <-ctx.Done():
			ok = false
		}
		b.mu.Lock()
		b.waiting--
		b.mu.Unlock()
		if !ok {
			return false
		}
	}
}

// give gives back n bytes taken.
func (b *byteBudget) give(n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.free += n
	if b.waiting > 0 {
		close(b.freed)
		b.freed = make(chan struct{})
	}
}
