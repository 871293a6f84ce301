package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json/jsontext"

	"smslab/sms"
)

// A source's ListServers JSON is put together from three places (docs/storage.md, "Source
// listings"): its stored listing (source_listings.listed: its members, checks and
// init_target_server), which triggers keep in step with the source's row; its current task's
// members that only imports and updates change (source_listings.task, in pieces), which
// linkTaskSource renders; and, from memory, the task's members that progress reports change
// (kept in the tasks' list index, so a report writes nothing more), connected and
// last_visit_time. A page reads one short row a source.

// taskPieceSep separates the pieces of source_listings.task, between which go the members of
// current_task that progress reports change. No JSON text holds it.
const taskPieceSep = "\x03"

// movingMembers are a task's members that its source's current_task (and the item around it)
// shows and progress reports change, but for its state, which the index keeps in its key.
type movingMembers struct {
	EstimateCompleteTime, StartDate, RemainSeconds, Replicatesize, Totalsize *int64
	MigrateSpeed, CompressRate                                               *float64
	SubtaskInfo                                                              *string
}

// movingOf returns the moving members of t.
func movingOf(t *Task) movingMembers {
	return movingMembers{
		EstimateCompleteTime: t.EstimateCompleteTime, StartDate: t.StartDate, RemainSeconds: t.RemainSeconds,
		Replicatesize: t.Replicatesize, Totalsize: t.Totalsize, MigrateSpeed: t.MigrateSpeed,
		CompressRate: t.CompressRate, SubtaskInfo: t.SubtaskInfo,
	}
}

// packedMoving is movingMembers as the index keeps them, without pointers, so that the garbage
// collector has nothing to mark in 100,000 of them: has says which are set, and subtask_info is
// numbered as states are (a lab's sub-task names are few, and so are their progress figures).
type packedMoving struct {
	estimate, start, remain, replicatesize, totalsize int64
	migrateSpeed, compressRate                        float64
	info                                              uint32
	has                                               uint8
}

// The bits of packedMoving.has.
const (
	hasEstimate = 1 << iota
	hasStart
	hasRemain
	hasReplicatesize
	hasTotalsize
	hasMigrateSpeed
	hasCompressRate
	hasInfo
)

// pack packs m, numbering its subtask_info. The caller holds mu.
func (x *listIndex) pack(m *movingMembers) packedMoving {
	var p packedMoving
	integer := func(bit uint8, dst *int64, v *int64) {
		if v != nil {
			p.has |= bit
			*dst = *v
		}
	}
	number := func(bit uint8, dst *float64, v *float64) {
		if v != nil {
			p.has |= bit
			*dst = *v
		}
	}
	integer(hasEstimate, &p.estimate, m.EstimateCompleteTime)
	integer(hasStart, &p.start, m.StartDate)
	integer(hasRemain, &p.remain, m.RemainSeconds)
	integer(hasReplicatesize, &p.replicatesize, m.Replicatesize)
	integer(hasTotalsize, &p.totalsize, m.Totalsize)
	number(hasMigrateSpeed, &p.migrateSpeed, m.MigrateSpeed)
	number(hasCompressRate, &p.compressRate, m.CompressRate)
	if m.SubtaskInfo != nil {
		p.has |= hasInfo
		p.info = x.number(*m.SubtaskInfo, true)
	}
	return p
}

// renderTaskPieces renders the pieces of source_listings.task for task t, the current task of a
// source: current_task's members up to its type, its speed_limit, and those from
// start_target_server to clone_server, separated by taskPieceSep. appendSourceItem puts the
// moving members between them; both write what ShowServer's current_task does.
func renderTaskPieces(t *Task) (string, error) {
	var target sms.TargetByID
	if err := loadJSON(t.TargetServer, &target); err != nil {
		return "", fmt.Errorf("task %s: %w", t.ID, err)
	}
	b := make([]byte, 0, 512)
	text := func(n string, v *string) {
		if v != nil {
			b = append(b, ',', '"')
			b = append(b, n...)
			b = append(b, '"', ':')
			b, _ = jsontext.AppendQuote(b, *v)
		}
	}
	boolean := func(n string, v *bool) {
		if v != nil {
			b = append(b, ',', '"')
			b = append(b, n...)
			b = append(b, '"', ':')
			b = strconv.AppendBool(b, *v)
		}
	}
	b = append(b, `,"current_task":{"id":`...)
	b, _ = jsontext.AppendQuote(b, t.ID)
	text("name", &t.Name)
	text("type", t.Type)
	b = append(b, taskPieceSep...)
	if t.SpeedLimit != nil {
		b = append(b, `,"speed_limit":`...)
		b = strconv.AppendInt(b, *t.SpeedLimit, 10)
	}
	b = append(b, taskPieceSep...)
	boolean("start_target_server", t.StartTargetServer)
	text("vm_template_id", t.VmTemplateID)
	text("region_id", t.RegionID)
	text("project_name", t.ProjectName)
	text("project_id", t.ProjectID)
	if vmID, name := valueOf(target.VMID), valueOf(target.Name); vmID != "" || name != "" {
		b = append(b, `,"target_server":{`...)
		if vmID != "" {
			b = append(b, `"vm_id":`...)
			b, _ = jsontext.AppendQuote(b, vmID)
		}
		if name != "" {
			if vmID != "" {
				b = append(b, ',')
			}
			b = append(b, `"name":`...)
			b, _ = jsontext.AppendQuote(b, name)
		}
		b = append(b, '}')
	}
	text("log_collect_status", t.LogCollectStatus)
	boolean("exist_server", t.ExistServer)
	boolean("use_public_ip", t.UsePublicIp)
	if t.CloneServer != nil && *t.CloneServer != "{}" {
		b = append(b, `,"clone_server":`...)
		b = append(b, *t.CloneServer...)
	}
	return string(b), nil
}

// appendCurrentTask appends the current_task member of a source's item, with replicatesize and
// totalsize after it: the stored pieces with, between them, the task's state and its moving
// members m as the index keeps them.
func (x *listIndex) appendCurrentTask(b []byte, pieces, state string, m *packedMoving) ([]byte, error) {
	head, rest, ok1 := strings.Cut(pieces, taskPieceSep)
	speedLimit, tail, ok2 := strings.Cut(rest, taskPieceSep)
	if !ok1 || !ok2 {
		return b, fmt.Errorf("a source's current task has %d pieces, not 3: %.60q", strings.Count(pieces, taskPieceSep)+1, pieces)
	}
	integer := func(n string, bit uint8, v int64) {
		if m.has&bit != 0 {
			b = append(b, n...)
			b = strconv.AppendInt(b, v, 10)
		}
	}
	number := func(n string, bit uint8, v float64) {
		if m.has&bit != 0 {
			b = append(b, n...)
			b = appendFloat(b, v)
		}
	}
	b = append(b, head...)
	b = append(b, `,"state":`...)
	b, _ = jsontext.AppendQuote(b, state)
	integer(`,"estimate_complete_time":`, hasEstimate, m.estimate)
	integer(`,"start_date":`, hasStart, m.start)
	b = append(b, speedLimit...)
	number(`,"migrate_speed":`, hasMigrateSpeed, m.migrateSpeed)
	number(`,"compress_rate":`, hasCompressRate, m.compressRate)
	b = append(b, tail...)
	integer(`,"remain_seconds":`, hasRemain, m.remain)
	if m.has&hasInfo != 0 {
		b = append(b, `,"subtask_info":`...)
		b, _ = jsontext.AppendQuote(b, x.nameOf[m.info])
	}
	b = append(b, '}')
	integer(`,"replicatesize":`, hasReplicatesize, m.replicatesize)
	integer(`,"totalsize":`, hasTotalsize, m.totalsize)
	return b, nil
}

// listSourceTask stores in the listing of the source with the given id its current task's pieces
// (none for a source without a task). linkTaskSource calls it for every source whose
// current task, or that task's members, the write may have changed.
func listSourceTask(ctx context.Context, q *Queries, sourceID string) error {
	params := SetSourceListingTaskParams{SourceID: sourceID}
	switch cur, err := q.GetCurrentTaskOfSource(ctx, &sourceID); {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return err
	default:
		t, err := q.GetTask(ctx, cur.ID)
		if err != nil {
			return err
		}
		pieces, err := renderTaskPieces(&t)
		if err != nil {
			return err
		}
		params.Task = &pieces
	}
	return q.SetSourceListingTask(ctx, params)
}

// listSourceTasks is migration 0010's Go step: it stores the current task of every source that
// has one in the source's listing.
func listSourceTasks(ctx context.Context, q *Queries) error {
	var after int64
	for {
		rows, err := q.ListSourcesWithTasksAfter(ctx, ListSourcesWithTasksAfterParams{After: &after, Limit: migrationBatch})
		if err != nil {
			return err
		}
		for _, row := range rows {
			if err := listSourceTask(ctx, q, row.ID); err != nil {
				return err
			}
			after = *row.Seq
		}
		if int64(len(rows)) < migrationBatch {
			return nil
		}
	}
}
