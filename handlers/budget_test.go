package handlers

import (
	"context"
	"testing"
	"testing/synctest"
	"time"
)

func TestByteBudget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		b := newByteBudget(10)
		if !b.take(ctx, 8, time.Second) {
			t.Fatal("8 of 10 free bytes not taken")
		}

		// 10 bytes wait for the 8 to come back; 2 are taken meanwhile, ahead of them.
		took := make(chan bool)
		go func() { took <- b.take(ctx, 10, time.Minute) }()
		synctest.Wait()
		if !b.take(ctx, 2, 0) {
			t.Fatal("2 free bytes not taken while a larger take waits")
		}
		b.give(8)
		synctest.Wait()
		select {
		case <-took:
			t.Fatal("10 bytes taken while 2 are held")
		default:
		}
		b.give(2)
		if !<-took {
			t.Fatal("10 bytes not taken once all were given back")
		}

		// Nothing given back: the take gives up after its wait, and not before.
		start := time.Now()
		if b.take(ctx, 1, 3*time.Second) {
			t.Fatal("a byte taken from an empty budget")
		}
		if waited := time.Since(start); waited != 3*time.Second {
			t.Errorf("gave up after %s, want 3s", waited)
		}

		// A request whose client has gone stops waiting.
		cctx, cancel := context.WithCancel(ctx)
		go func() { took <- b.take(cctx, 1, time.Hour) }()
		synctest.Wait()
		cancel()
		if <-took {
			t.Fatal("a byte taken from an empty budget after the context ended")
		}
		b.give(10)
		if !b.take(ctx, 10, 0) {
			t.Fatal("the budget lost bytes")
		}
	})
}
