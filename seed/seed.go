// Package seed reads the files smslab loads at start-up: the built-in demo set, or a lab's state
// saved as JSON (docs/command-line.md, "Seed files"): migration projects, source servers, server
// templates and tasks, each array in the shape of its list response, so that GET /v3/tasks saved from the real
// service or from smslab loads as it is.
package seed

import (
	_ "embed"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"smslab/sms"
)

//go:embed demo.json
var demo []byte

// The values of -seed that are not file paths.
const (
	Demo = "demo"
	None = "none"
)

// File is a parsed seed file: what it loads, and what it holds that smslab does not know.
type File struct {
	sms.SeedFile
	// Unknown lists the JSON paths of the members smslab does not know (tasks[3].nmae), which it
	// ignores: a file exported by a newer service may hold fields this smslab has not heard of.
	Unknown []string
}

// demoWrittenAt is the moment demo.json's dates were written for: DemoAt moves them all by the
// same amount, so that the file reads as if it were written at the moment it is seeded.
const demoWrittenAt = 1795001000000

// DemoHistory is how far back the demo's dates reach from the moment it is seeded: its oldest
// task was created, and its oldest source registered, this long before. Its running tasks started
// a few minutes to an hour before (docs/agents.md, "The demo").
const DemoHistory = 6 * time.Hour

// Load returns what the -seed value names: the demo set (dated relative to now), nothing, or
// the content of a file.
func Load(dec *sms.Decoder, spec string) (*File, error) {
	switch spec {
	case None:
		return &File{}, nil
	case Demo:
		return DemoAt(dec, time.Now())
	}
	data, err := os.ReadFile(spec)
	if err != nil {
		return nil, fmt.Errorf("seed file: %w", err)
	}
	f, err := Parse(dec, data)
	if err != nil {
		return nil, fmt.Errorf("seed file %s: %w", spec, err)
	}
	return f, nil
}

// Parse reads a seed file. It holds at least one of the arrays a seed file loads; every item is
// checked with the rules the API applies, and ids are unique within their array. An error names
// the item's index and the field at fault.
func Parse(dec *sms.Decoder, data []byte) (*File, error) {
	f := &File{}
	if err := dec.DecodeFile(data, &f.SeedFile); err != nil {
		return nil, err
	}
	names, err := sms.TopLevelNames(data)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(names, func(n string) bool { return slices.Contains(sms.SeedArrays, n) }) {
		found := "it is an empty object"
		if len(names) > 0 {
			found = "only " + strings.Join(names, ", ")
		}
		return nil, &sms.InvalidError{Rule: fmt.Sprintf("the file holds none of the arrays a seed file loads (%s): %s",
			strings.Join(sms.SeedArrays, ", "), found)}
	}
	projects := make([]string, len(f.Migprojects))
	for i, p := range f.Migprojects {
		projects[i] = *p.ID
	}
	sources := make([]string, len(f.Sources))
	for i, s := range f.Sources {
		sources[i] = *s.ID
	}
	tasks := make([]string, len(f.Tasks))
	for i, t := range f.Tasks {
		tasks[i] = *t.ID
		if s := t.SourceServer; s != nil && s.ID != nil {
			if err := sms.CheckSourceID(fmt.Sprintf("tasks[%d].source_server.id", i), *s.ID); err != nil {
				return nil, err
			}
		}
	}
	for _, ids := range []struct {
		array string
		ids   []string
	}{{"migprojects", projects}, {"sources", sources}, {"tasks", tasks}} {
		if err := unique(ids.array, ids.ids); err != nil {
			return nil, err
		}
	}
	if err := sms.CheckSeedTemplates(f.Templates); err != nil {
		return nil, err
	}
	if f.Unknown, err = sms.UnknownMembers(data, &f.SeedFile); err != nil {
		return nil, err
	}
	return f, nil
}

// DemoAt returns the demo set with its dates placed relative to now, the moment it is seeded:
// every task, sub-task and source keeps its age relative to the others, so that the durations,
// total_time and estimates it shows agree with the clock of the server it is loaded into.
func DemoAt(dec *sms.Decoder, now time.Time) (*File, error) {
	f, err := Parse(dec, demo)
	if err != nil {
		return nil, err
	}
	by := now.UnixMilli() - demoWrittenAt
	move := func(p *int64) {
		if p != nil {
			*p += by
		}
	}
	for i := range f.Tasks {
		t := &f.Tasks[i]
		move(t.CreateDate)
		move(t.EstimateCompleteTime)
		for j := range t.SubTasks {
			move(t.SubTasks[j].StartDate)
			move(t.SubTasks[j].EndDate)
		}
	}
	for i := range f.Sources {
		s := &f.Sources[i]
		for _, p := range []*int64{s.AddDate, s.StateActionTime, s.StageActionTime, s.LastVisitTime} {
			move(p)
		}
	}
	return f, nil
}

// unique refuses an id that an earlier item of the array has.
func unique(array string, ids []string) error {
	seen := make(map[string]int, len(ids))
	for i, id := range ids {
		if first, dup := seen[id]; dup {
			return &sms.InvalidError{
				Field: fmt.Sprintf("%s[%d].id", array, i),
				Rule:  fmt.Sprintf("repeats the id of %s[%d] (%s)", array, first, id),
			}
		}
		seen[id] = i
	}
	return nil
}

// maxUnknownShown is how many unknown fields UnknownReport names; the rest are counted.
const maxUnknownShown = 20

// UnknownReport says which unknown fields f holds, in lines of their own: up to 20 paths, then
// how many more.
func (f *File) UnknownReport() []string {
	lines := slices.Clone(f.Unknown[:min(len(f.Unknown), maxUnknownShown)])
	if more := len(f.Unknown) - maxUnknownShown; more > 0 {
		lines = append(lines, fmt.Sprintf("and %d more", more))
	}
	return lines
}
