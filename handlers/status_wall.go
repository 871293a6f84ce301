package handlers

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"smslab/db"
	"smslab/sms"
)

// waveEvery is how often, at most, the wall's wave totals are taken, however many screens poll
// them: this, not the number of viewers, bounds what the wall costs (docs/status-page.md gives
// the cost of a taking at 100,000 tasks).
const waveEvery = 2 * time.Second

// waveSamples is how much throughput history the wall's sparkline gets: five minutes.
const waveSamples = 150

// bytesPerMbit converts a rate in Mbit/s to bytes per second.
const bytesPerMbit = 1e6 / 8

// waveSample is the wave's throughput at a moment (epoch ms), in Mbit/s.
type waveSample struct {
	At   int64   `json:"at"`
	Mbps float64 `json:"mbps"`
}

// waveCache holds the last wave totals taken and the throughput history, shared by every
// viewer. Totals are taken on demand, so an unwatched smslab takes none.
type waveCache struct {
	mu      sync.Mutex
	taken   time.Time // when, on the wall clock; zero before the first
	now     int64     // the store's clock then, epoch ms
	wave    db.Wave
	counts  map[string]int64
	history []waveSample
}

// get returns the wave totals, taking them again if they are older than waveEvery. Callers
// that come while they are taken wait and share them.
func (w *waveCache) get(ctx context.Context, store *db.Store) (waveCache, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.taken.IsZero() || time.Since(w.taken) >= waveEvery {
		now := store.Now().UnixMilli()
		counts, err := store.CountTasksPerState(ctx)
		if err != nil {
			return waveCache{}, err
		}
		wave, err := store.WaveTotals(ctx, now)
		if err != nil {
			return waveCache{}, err
		}
		w.taken, w.now, w.wave, w.counts = time.Now(), now, wave, counts
		w.history = append(w.history, waveSample{At: now, Mbps: wave.Throughput})
		if len(w.history) > waveSamples {
			w.history = append(w.history[:0], w.history[len(w.history)-waveSamples:]...)
		}
	}
	return waveCache{taken: w.taken, now: w.now, wave: w.wave, counts: w.counts,
		history: append([]waveSample(nil), w.history...)}, nil
}

type statusWaveResponse struct {
	Now     int64              `json:"now"`   // when the totals were taken, epoch ms
	Every   int64              `json:"every"` // ms between two takings, at most as often
	Tasks   int64              `json:"tasks"`
	Groups  []statusGroupCount `json:"groups"`
	Stalled int64              `json:"stalled"`
	// Disconnected counts the moving tasks whose agents went silent.
	Disconnected int64 `json:"disconnected"`
	// Sized counts the tasks that reported a size; Replicated and Total are their bytes.
	Sized      int64 `json:"sized"`
	Replicated int64 `json:"replicated"`
	Total      int64 `json:"total"`
	// Throughput is the sum of the current copy rates, in Mbit/s, of the Copying tasks that
	// are neither stalled nor disconnected.
	Throughput float64      `json:"throughput"`
	Copying    int64        `json:"copying"`
	History    []waveSample `json:"history"`
	// EndEstimate is when the wave's bytes left would be copied at Throughput; null while
	// nothing copies.
	EndEstimate *int64 `json:"end_estimate"`
}

// statusWave serves GET /status/wave: the wave's totals for the wall's header.
func statusWave(store *db.Store, cache *waveCache) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := noQuery(c); err != nil {
			return err
		}
		w, err := cache.get(c.Request().Context(), store)
		if err != nil {
			return err
		}
		resp := statusWaveResponse{Now: w.now, Every: waveEvery.Milliseconds(),
			Stalled: int64(len(w.wave.Stalled)), Disconnected: int64(len(w.wave.Disconnected)),
			Sized: w.wave.Sized, Replicated: w.wave.Replicated, Total: w.wave.Total,
			Throughput: w.wave.Throughput, Copying: w.wave.Copying, History: w.history}
		resp.Tasks, resp.Groups, _ = countGroups(w.counts)
		if left := w.wave.Total - w.wave.Replicated; left > 0 && w.wave.Throughput > 0 {
			end := w.now + int64(float64(left)/(w.wave.Throughput*bytesPerMbit)*1000)
			resp.EndEstimate = &end
		}
		return writeJSON(c, http.StatusOK, resp)
	}
}

// statusWallQuery is the query of GET /status/wall.
type statusWallQuery struct {
	Offset int64 `json:"offset" validate:"min=0,max=2147483647"`
	Limit  int64 `json:"limit" validate:"min=1,max=200"`
}

// statusWall serves GET /status/wall?offset=&limit=: one page of every task in the wall's
// order, problems first (db.Store.ListWallTasks), by the last wave totals taken.
func statusWall(store *db.Store, dec *sms.Decoder, cache *waveCache) echo.HandlerFunc {
	return func(c echo.Context) error {
		params, err := sms.QueryParams(c.Request().URL.RawQuery, "this endpoint", "offset", "limit")
		if err != nil {
			return err
		}
		q := statusWallQuery{Limit: defaultStatusLimit}
		if err := parsePage(params, &q.Limit, &q.Offset); err != nil {
			return err
		}
		if err := dec.Validate(&q); err != nil {
			return err
		}
		w, err := cache.get(c.Request().Context(), store)
		if err != nil {
			return err
		}
		problems := append(append([]string(nil), w.wave.Stalled...), w.wave.Disconnected...)
		page, err := store.ListWallTasks(c.Request().Context(), problems, q.Offset, q.Limit)
		if err != nil {
			return err
		}
		return writeJSON(c, http.StatusOK, statusTasksOf(store, page, q.Offset, q.Limit))
	}
}
