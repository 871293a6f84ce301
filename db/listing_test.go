package db

import (
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"smslab/sms"
)

// appendSubTasks writes exactly what marshalJSON writes for sub-tasks, stored and listed, with
// every field absent or present, strings that need escaping and floats of every magnitude.
func TestAppendSubTasksMarshalsLikeJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	texts := []string{"", "MIGRATE_LINUX_FILE", `quote " backslash \ slash /`, "tab\tnewline\n\x01\x1f",
		"<script>&amp;</script>", "é ü 中文 🚀", "\u2028\u2029"}
	floats := []float64{0, math.Copysign(0, -1), 1, 5, 0.1, 2.5, 9999.99, 10000, 1e-6, 1e-7, 1.5e-9, 123456.789, 1e20, 1e21, 3.4e38, math.SmallestNonzeroFloat64}
	pick := func(n int) bool { return rng.IntN(n) != 0 }
	for round := range 2000 {
		var subTasks []sms.SubTask
		if round%50 != 0 {
			subTasks = []sms.SubTask{}
		}
		for range rng.IntN(9) {
			var st sms.SubTask
			if pick(4) {
				st.ID = ptr(rng.Int64N(1 << 40))
			}
			if pick(4) {
				st.Name = ptr(texts[rng.IntN(len(texts))])
			}
			if pick(4) {
				st.Progress = ptr(rng.Int32N(101))
			}
			if pick(3) {
				st.StartDate = ptr(rng.Int64N(1 << 42))
			}
			if pick(3) {
				st.EndDate = ptr(rng.Int64N(1 << 42))
			}
			if pick(3) {
				st.MigrateSpeed = ptr(floats[rng.IntN(len(floats))] * float64(rng.IntN(3)+1))
			}
			if pick(3) {
				st.UserOp = ptr(texts[rng.IntN(len(texts))])
			}
			if pick(3) {
				st.ProcessTrace = ptr(texts[rng.IntN(len(texts))])
			}
			subTasks = append(subTasks, st)
		}
		want, err := marshalJSON(subTasks)
		if err != nil {
			t.Fatal(err)
		}
		listed := make([]sms.TaskSubTask, len(subTasks))
		for i, st := range subTasks {
			listed[i] = sms.TaskSubTask{ID: st.ID, Name: st.Name, Progress: st.Progress, StartDate: st.StartDate,
				EndDate: st.EndDate, ProcessTrace: st.ProcessTrace}
		}
		if subTasks == nil {
			listed = nil
		}
		wantListed, err := marshalJSON(listed)
		if err != nil {
			t.Fatal(err)
		}
		if subTasks == nil {
			continue
		}
		if got := appendSubTasks(nil, subTasks, false); string(got) != string(want) {
			t.Fatalf("stored\n%s\nwant\n%s", got, want)
		}
		if got := appendSubTasks(nil, subTasks, true); string(got) != string(wantListed) {
			t.Fatalf("listed\n%s\nwant\n%s", got, wantListed)
		}
	}
}

// The API's minimums of 0 take -0, which equals 0: wherever it was given (a seed's nested object,
// its progress figures, a report), the listing shows 0, never -0. Stored sub-tasks are covered
// above.
func TestNegativeZeroIsListedAsZero(t *testing.T) {
	ctx := context.Background()
	store := mustOpenStore(t)
	defer store.Close()
	negZero := math.Copysign(0, -1)
	task := sms.Task{ID: ptr("a"), State: ptr("RUNNING"), MigrateSpeed: ptr(negZero),
		NetworkCheckInfo: &sms.NetworkCheckInfo{NetworkDelay: ptr(negZero)}}
	if err := store.Import(ctx, []sms.Task{task}); err != nil {
		t.Fatal(err)
	}
	listing := func() string {
		page, err := store.ListTasks(ctx, &sms.ListTasksQuery{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		return string(page.Tasks)
	}
	for _, want := range []string{`"migrate_speed":0`, `"network_delay":0`} {
		if got := listing(); strings.Contains(got, ":-0") || !strings.Contains(got, want) {
			t.Errorf("imported with -0: listed %s, want %s and no -0", got, want)
		}
	}
	rep := reportOn("SSL_CONFIG")
	rep.MigrateSpeed, rep.TotalCPUUsage = ptr(negZero), ptr(negZero)
	if err := store.ReportProgress(ctx, "a", rep); err != nil {
		t.Fatal(err)
	}
	if got := listing(); strings.Contains(got, ":-0") || !strings.Contains(got, `"total_cpu_usage":0,`) {
		t.Errorf("reported with -0: listed %s", got)
	}
}
