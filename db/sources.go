package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"smslab/lifecycle"
	"smslab/sms"
)

// Source servers: what their agents register, and the state that follows their tasks. Every
// write goes through the committer; a source's state and migration cycle are columns, which
// refreshSource (tasksources.go) keeps in step with its task.

// defaultEnterpriseProjectID is the enterprise project of a source registered by its agent (the
// real service's default enterprise project); a source made for a task takes the task's.
const defaultEnterpriseProjectID = "0"

// RegisterServer records what an agent reports about its server and returns the source's id. A
// body whose id names a stored source updates it; one without an id updates the source with the
// same name and IP (or IPv6 address, when it gives no IP); otherwise a new source is stored,
// with the body's id if it has one. An update refreshes the facts the body carries and keeps the
// id, add_date, project and task.
func (s *Store) RegisterServer(ctx context.Context, req *sms.RegisterServerRequest) (string, error) {
	now := s.Now().UnixMilli()
	facts := registeredFacts(req)
	var id string
	err := s.committer.write(ctx, inSavepoint, func(ctx context.Context, tx *writeTx) error {
		tx.sourcesChanged = true
		row, found, err := findRegistered(ctx, tx.Queries, req)
		if err != nil {
			return err
		}
		if found { // its agent restarted: what it took and did not answer is pending again
			if err := tx.RequeueCommands(ctx, row.ID); err != nil {
				return err
			}
		}
		if !found {
			project, err := projectFor(ctx, tx.Queries, req.Migprojectid)
			if err != nil {
				return err
			}
			row = newSource(valueOr(req.ID, sms.NewID()), project, defaultEnterpriseProjectID, now)
		}
		if err := applyFacts(&row, &facts); err != nil {
			return err
		}
		if row.TaskID == nil {
			idleState(&row, req.State, req.MigrationCycle, !found, now)
		}
		row.LastSeen = &now
		id = row.ID
		return writeSource(ctx, tx.Queries, &row)
	})
	if err != nil {
		return "", err
	}
	s.calls.record(id, now, true)
	return id, nil
}

// findRegistered finds the stored source a registration names, if any.
func findRegistered(ctx context.Context, q *Queries, req *sms.RegisterServerRequest) (Source, bool, error) {
	var row Source
	var err error
	switch {
	case req.ID != nil:
		row, err = q.GetSource(ctx, *req.ID)
	case req.IP != nil:
		row, err = q.FindSourceByNameIP(ctx, FindSourceByNameIPParams{Name: *req.Name, Ip: req.IP})
	default:
		row, err = q.FindSourceByNameIPv6(ctx, FindSourceByNameIPv6Params{Name: *req.Name, Ipv6: req.IPv6})
	}
	if errors.Is(err, sql.ErrNoRows) {
		return Source{}, false, nil
	}
	return row, err == nil, err
}

// projectFor returns the id of the project a new source joins: the one named, else the default.
func projectFor(ctx context.Context, q *Queries, id *string) (string, error) {
	if id != nil {
		p, err := loadMigproject(ctx, q, *id)
		return p.ID, err
	}
	p, err := q.GetDefaultMigproject(ctx)
	if err != nil {
		return "", fmt.Errorf("the default migration project: %w", err)
	}
	return p.ID, nil
}

// newSource is a source with no facts yet, added at now: waiting, in the setting cycle.
func newSource(id, project, enterpriseProjectID string, now int64) Source {
	state, cycle := lifecycle.SourceStateFor("")
	return Source{ID: id, Migproject: project, EnterpriseProjectID: enterpriseProjectID, AddDate: now,
		State: state, MigrationCycle: cycle, StateActionTime: now, StageActionTime: now,
		Checks: "[]", InitTargetServer: `{"disks":[],"volume_groups":[]}`}
}

// registeredFacts is what a registration reports, in the shape every source write takes.
func registeredFacts(r *sms.RegisterServerRequest) sms.Source {
	return sms.Source{
		IP: r.IP, IPv6: r.IPv6, Name: r.Name, Hostname: r.Hostname, OsType: r.OsType,
		OsVersion: r.OsVersion, LinuxBlockCheck: r.LinuxBlockCheck, Firmware: r.Firmware,
		CPUQuantity: r.CPUQuantity, Memory: r.Memory, Disks: r.Disks, BtrfsList: r.BtrfsList,
		Networks: r.Networks, DomainID: r.DomainID, HasRsync: r.HasRsync,
		Paravirtualization: r.Paravirtualization, RawDevices: r.RawDevices,
		DriverFiles: r.DriverFiles, SystemServices: r.SystemServices, AccountRights: r.AccountRights,
		BootLoader: r.BootLoader, SystemDir: r.SystemDir, VolumeGroups: r.VolumeGroups,
		AgentVersion: r.AgentVersion, KernelVersion: r.KernelVersion, OemSystem: r.OemSystem,
		StartType: r.StartType, IoReadWait: r.IoReadWait, HasTc: r.HasTc, Platform: r.Platform,
	}
}

// applyFacts sets on row every fact f carries (a list given replaces the stored one), then works
// out again what SMS derives from them: the ids of disks and volumes, the recommended target
// (keeping the adjustments made to disks still there) and the checks.
func applyFacts(row *Source, f *sms.Source) error {
	assign(&row.Name, f.Name)
	setIfPresent(&row.Hostname, f.Hostname)
	setIfPresent(&row.Ip, f.IP)
	setIfPresent(&row.Ipv6, f.IPv6)
	setIfPresent(&row.OsType, f.OsType)
	setIfPresent(&row.OsVersion, f.OsVersion)
	setIfPresent(&row.AgentVersion, f.AgentVersion)
	setIfPresent(&row.KernelVersion, f.KernelVersion)
	setIfPresent(&row.Firmware, f.Firmware)
	setIfPresent(&row.BootLoader, f.BootLoader)
	setIfPresent(&row.LinuxBlockCheck, f.LinuxBlockCheck)
	if f.CPUQuantity != nil {
		row.CpuQuantity = widen(f.CPUQuantity)
	}
	setIfPresent(&row.Memory, f.Memory)
	setIfPresent(&row.DomainID, f.DomainID)
	setIfPresent(&row.HasRsync, f.HasRsync)
	setIfPresent(&row.Paravirtualization, f.Paravirtualization)
	setIfPresent(&row.RawDevices, f.RawDevices)
	setIfPresent(&row.DriverFiles, f.DriverFiles)
	setIfPresent(&row.SystemServices, f.SystemServices)
	setIfPresent(&row.AccountRights, f.AccountRights)
	setIfPresent(&row.SystemDir, f.SystemDir)
	setIfPresent(&row.OemSystem, f.OemSystem)
	setIfPresent(&row.StartType, f.StartType)
	setIfPresent(&row.IoReadWait, f.IoReadWait)
	setIfPresent(&row.HasTc, f.HasTc)
	setIfPresent(&row.Platform, f.Platform)
	var err error
	if f.Disks != nil {
		row.Disks, err = arrayJSON(f.Disks)
	}
	if f.VolumeGroups != nil && err == nil {
		row.VolumeGroups, err = arrayJSON(f.VolumeGroups)
	}
	if f.BtrfsList != nil && err == nil {
		row.BtrfsList, err = arrayJSON(f.BtrfsList)
	}
	if f.Networks != nil && err == nil {
		row.Networks, err = arrayJSON(f.Networks)
	}
	if err != nil {
		return err
	}
	return deriveFacts(row)
}

// deriveFacts works out the ids, the recommended target and the checks of row from its facts.
func deriveFacts(row *Source) error {
	var disks []sms.SourceDisk
	var vgs []sms.SourceVolGroup
	var old sms.InitTargetServer
	if err := firstError(loadJSON(row.Disks, &disks), loadJSON(row.VolumeGroups, &vgs),
		loadJSON(&row.InitTargetServer, &old)); err != nil {
		return fmt.Errorf("source %s: %w", row.ID, err)
	}
	assignFactIDs(row.ID, disks, vgs)
	target := initTarget(disks, vgs, &old)
	checks := environmentChecks(row, disks)
	var err error
	if row.Disks != nil {
		row.Disks, err = arrayJSON(disks)
	}
	if row.VolumeGroups != nil && err == nil {
		row.VolumeGroups, err = arrayJSON(vgs)
	}
	var t, c *string
	if err == nil {
		t, err = encodeJSON(target)
	}
	if err == nil {
		c, err = encodeJSON(checks)
	}
	if err != nil {
		return err
	}
	row.InitTargetServer, row.Checks = *t, *c
	return nil
}

// idleState sets the state of a source without a task after a registration: the state and
// cycle the body gives, if any; else unavailable (checking) when a check failed, and waiting
// (setting) for a new source or one that was unavailable; else it stays as it was.
func idleState(row *Source, state, cycle *string, created bool, now int64) {
	failed := checksFailed(row.Checks)
	switch {
	case state != nil:
		c := valueOf(cycle)
		if c == "" {
			c = lifecycle.CycleSetting
			if *state == lifecycle.SourceUnavailable {
				c = lifecycle.CycleChecking
			}
		}
		setState(row, *state, c, now)
	case failed:
		setState(row, lifecycle.SourceUnavailable, lifecycle.CycleChecking, now)
	case created || row.State == lifecycle.SourceUnavailable:
		st, c := lifecycle.SourceStateFor("")
		setState(row, st, valueOr(cycle, c), now)
	case cycle != nil:
		setState(row, row.State, *cycle, now)
	}
}

// setState gives row a state and migration cycle at now, and notes when each changed.
func setState(row *Source, state, cycle string, now int64) {
	if state != row.State {
		row.State, row.StateActionTime = state, now
	}
	if cycle != row.MigrationCycle {
		row.MigrationCycle, row.StageActionTime = cycle, now
	}
}

// GetSource returns the source with the given id as ShowServer answers it.
func (s *Store) GetSource(ctx context.Context, id string) (sms.Source, error) {
	v, err := s.getSource(ctx, id)
	if err != nil {
		return sms.Source{}, s.readError(err)
	}
	return v, nil
}

func (s *Store) getSource(ctx context.Context, id string) (sms.Source, error) {
	tx, err := s.reader.BeginTx(ctx, nil)
	if err != nil {
		return sms.Source{}, err
	}
	defer tx.Rollback()
	q := s.readQueries.WithTx(tx)
	row, err := loadSource(ctx, q, id)
	if err != nil {
		return sms.Source{}, err
	}
	var task *Task
	if row.TaskID != nil {
		t, err := q.GetTask(ctx, *row.TaskID)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return sms.Source{}, err
		}
		if err == nil {
			task = &t
		}
	}
	return s.sourceView(row, task)
}

func loadSource(ctx context.Context, q *Queries, id string) (Source, error) {
	row, err := q.GetSource(ctx, id)
	if errors.Is(err, sql.ErrNoRows) {
		return Source{}, &SourceNotFoundError{ID: id}
	}
	return row, err
}

// sourceView is a stored source, with its current task, as ShowServer answers it.
func (s *Store) sourceView(row Source, task *Task) (sms.Source, error) {
	connected, lastVisit := s.connection(row)
	v := sms.Source{
		ID: &row.ID, IP: row.Ip, IPv6: row.Ipv6, Name: &row.Name, Hostname: row.Hostname,
		EnterpriseProjectID: &row.EnterpriseProjectID, Migproject: &row.Migproject,
		AddDate: &row.AddDate, OsType: row.OsType, OsVersion: row.OsVersion, OemSystem: row.OemSystem,
		State: &row.State, Connected: &connected, Firmware: row.Firmware,
		CPUQuantity: narrow(row.CpuQuantity), Memory: row.Memory, MigrationCycle: &row.MigrationCycle,
		StateActionTime: &row.StateActionTime, LastVisitTime: lastVisit,
		StageActionTime: &row.StageActionTime, AgentVersion: row.AgentVersion, HasTc: row.HasTc,
		StartType: row.StartType, IsConsistencyResultExist: &row.IsConsistencyResultExist,
		LinuxBlockCheck: row.LinuxBlockCheck, DomainID: row.DomainID, HasRsync: row.HasRsync,
		Paravirtualization: row.Paravirtualization, RawDevices: row.RawDevices,
		DriverFiles: row.DriverFiles, SystemServices: row.SystemServices,
		AccountRights: row.AccountRights, BootLoader: row.BootLoader, SystemDir: row.SystemDir,
		KernelVersion: row.KernelVersion, IoReadWait: row.IoReadWait, Platform: row.Platform,
		InitTargetServer: &sms.InitTargetServer{},
	}
	err := firstError(
		loadJSON(row.Disks, &v.Disks),
		loadJSON(row.VolumeGroups, &v.VolumeGroups),
		loadJSON(row.BtrfsList, &v.BtrfsList),
		loadJSON(row.Networks, &v.Networks),
		loadJSON(&row.Checks, &v.Checks),
		loadJSON(&row.InitTargetServer, v.InitTargetServer),
	)
	if err != nil {
		return sms.Source{}, fmt.Errorf("source %s: %w", row.ID, err)
	}
	if task != nil {
		if v.CurrentTask, err = sourceTask(*task); err != nil {
			return sms.Source{}, err
		}
		v.Replicatesize, v.Totalsize = task.Replicatesize, task.Totalsize
	}
	return v, nil
}

// connection says whether the source's agent counts as connected now, and when it last called:
// the last call known since start, else the last one stored.
func (s *Store) connection(row Source) (bool, *int64) { return s.connectionOf(row.ID, row.LastSeen) }

// connectionOf is connection for the source with the given id and stored last call.
func (s *Store) connectionOf(id string, stored *int64) (bool, *int64) {
	at, ok := s.calls.lastCall(id)
	if !ok {
		return false, stored
	}
	if stored != nil && *stored > at {
		at = *stored
	}
	return isConnected(at, s.Now().UnixMilli()), &at
}

// sourceTask is a task as its source's current_task shows it. target_server and clone_server
// are left out when they name no server.
func sourceTask(t Task) (*sms.SourceTask, error) {
	v := &sms.SourceTask{
		ID: &t.ID, Name: &t.Name, Type: t.Type, State: &t.State,
		EstimateCompleteTime: t.EstimateCompleteTime, StartDate: t.StartDate,
		SpeedLimit: narrow(t.SpeedLimit), MigrateSpeed: t.MigrateSpeed, CompressRate: t.CompressRate,
		StartTargetServer: t.StartTargetServer, VMTemplateID: t.VmTemplateID, RegionID: t.RegionID,
		ProjectName: t.ProjectName, ProjectID: t.ProjectID, LogCollectStatus: t.LogCollectStatus,
		ExistServer: t.ExistServer, UsePublicIP: t.UsePublicIp, RemainSeconds: t.RemainSeconds,
		SubtaskInfo: t.SubtaskInfo,
	}
	var target sms.TargetByID
	var clone sms.CloneServer
	if err := firstError(loadJSON(t.TargetServer, &target), loadJSON(t.CloneServer, &clone)); err != nil {
		return nil, fmt.Errorf("task %s: %w", t.ID, err)
	}
	if valueOf(target.VMID) != "" || valueOf(target.Name) != "" {
		v.TargetServer = &sms.TargetByID{VMID: nonEmpty(valueOf(target.VMID)), Name: nonEmpty(valueOf(target.Name))}
	}
	if clone != (sms.CloneServer{}) {
		v.CloneServer = &clone
	}
	return v, nil
}

// SourcePage is a page of ListServers: the number of sources matching the filters, and the
// sources of the page as their ListServers JSON objects separated by commas, ready to go between
// [ and ].
type SourcePage struct {
	Count   int64
	Sources []byte
	pooled  *[]byte
}

// Release gives the page's bytes back for another page to use; the page must not be used after.
func (p *SourcePage) Release() {
	if p.pooled != nil {
		*p.pooled = p.Sources[:0]
		pagePool.Put(p.pooled)
		p.pooled, p.Sources = nil, nil
	}
}

// pagePool holds the buffers ListServers assembles its pages in: a page of 100 sources is some
// 200 KB, and allocating it anew for each one cost a page about a tenth of its CPU in garbage
// collection (docs/storage.md, "Source listings").
var pagePool = sync.Pool{New: func() any { return new([]byte) }}

// ListServers returns the page of sources q asks for, newest add_date first, and how many match.
func (s *Store) ListServers(ctx context.Context, q *sms.ListServersQuery) (SourcePage, error) {
	page, err := s.listServers(ctx, q)
	if err != nil {
		return SourcePage{}, s.readError(err)
	}
	return page, nil
}

// listServers picks the page's sources through the source index when it serves the filters
// (state and enterprise project, or none): SQLite's OFFSET would walk every source before the
// page, and counting them read them all (docs/storage.md, "The source index"). Other filters are
// SQL. Either way ListSourcePage reads the page's stored listings, to which assemble adds what
// memory holds.
func (s *Store) listServers(ctx context.Context, q *sms.ListServersQuery) (SourcePage, error) {
	if q.ID == nil && q.Name == nil && q.IP == nil && q.IPv6 == nil && q.Migproject == nil && q.MigrationCycle == nil &&
		q.Connected == nil && q.IsConsistencyResultExist == nil && q.VMID == nil {
		return s.readSourcePage(ctx, q)
	}
	return s.querySourcePage(ctx, q)
}

// readSourcePage picks the page q asks for in the source index, and assembles it while holding
// the indexes for reading (the tasks', then the sources', as the committer takes them), so that
// the page, its count and its tasks' moving members describe one committed state.
func (s *Store) readSourcePage(ctx context.Context, q *sms.ListServersQuery) (SourcePage, error) {
	if err := s.sourcesAndTasksBuilt(ctx); err != nil {
		return SourcePage{}, err
	}
	s.index.mu.RLock()
	defer s.index.mu.RUnlock()
	s.sources.mu.RLock()
	defer s.sources.mu.RUnlock()
	seqs, slots, count := s.sources.pageWithSlots(q.State, q.EnterpriseProjectID, int(q.Offset), int(q.Limit))
	return s.assemble(ctx, seqs, slots, int64(count))
}

// sourcesAndTasksBuilt waits until both indexes are built, and says why not if one could not be.
func (s *Store) sourcesAndTasksBuilt(ctx context.Context) error {
	for _, x := range []*listIndex{s.sources, s.index} {
		select {
		case <-x.built:
			if x.broken != nil {
				return x.broken
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// querySourcePage counts the sources that match q and picks its page through SQL, in one read
// transaction, then assembles the page as readSourcePage does: a page filtered so may scan the
// table, which would hold up commits as long if it held the indexes. A source deleted in between
// is left out of the page.
func (s *Store) querySourcePage(ctx context.Context, q *sms.ListServersQuery) (SourcePage, error) {
	count, seqs, ids, err := s.querySourceSeqs(ctx, q)
	if err != nil || len(seqs) == 0 {
		return SourcePage{Count: count}, err
	}
	if err := s.sourcesAndTasksBuilt(ctx); err != nil {
		return SourcePage{}, err
	}
	s.index.mu.RLock()
	defer s.index.mu.RUnlock()
	s.sources.mu.RLock()
	defer s.sources.mu.RUnlock()
	slots := make([]int32, 0, len(seqs))
	kept := seqs[:0]
	for i, seq := range seqs {
		if slot, ok := s.sources.ids.find(ids[i]); ok && s.sources.seqs[slot] == seq {
			kept, slots = append(kept, seq), append(slots, slot)
		}
	}
	return s.assemble(ctx, kept, slots, count)
}

// querySourceSeqs counts the sources that match q and returns the seqs and ids of its page,
// through SQL in one read transaction.
func (s *Store) querySourceSeqs(ctx context.Context, q *sms.ListServersQuery) (int64, []int64, []string, error) {
	connected := "[]"
	if q.Connected != nil {
		ids, err := marshalJSON(s.calls.connectedIDs(s.Now().UnixMilli()))
		if err != nil {
			return 0, nil, nil, err
		}
		connected = string(ids)
	}
	tx, err := s.reader.BeginTx(ctx, nil)
	if err != nil {
		return 0, nil, nil, err
	}
	defer tx.Rollback()
	qs := s.readQueries.WithTx(tx)
	filters := CountSourcesParams{
		ID: q.ID, Name: q.Name, State: q.State, Ip: q.IP, Ipv6: q.IPv6, Migproject: q.Migproject,
		MigrationCycle: q.MigrationCycle, EnterpriseProjectID: q.EnterpriseProjectID,
		IsConsistencyResultExist: q.IsConsistencyResultExist, Connected: q.Connected,
		ConnectedIds: connected, VmID: q.VMID,
	}
	count, err := qs.CountSources(ctx, filters)
	if err != nil {
		return 0, nil, nil, err
	}
	rows, err := qs.ListSources(ctx, ListSourcesParams{
		ID: filters.ID, Name: filters.Name, State: filters.State, Ip: filters.Ip, Ipv6: filters.Ipv6,
		Migproject: filters.Migproject, MigrationCycle: filters.MigrationCycle,
		EnterpriseProjectID:      filters.EnterpriseProjectID,
		IsConsistencyResultExist: filters.IsConsistencyResultExist, Connected: filters.Connected,
		ConnectedIds: filters.ConnectedIds, VmID: filters.VmID,
		Limit: int64(q.Limit), Offset: int64(q.Offset),
	})
	if err != nil {
		return 0, nil, nil, err
	}
	seqs, ids := make([]int64, len(rows)), make([]string, len(rows))
	for i, row := range rows {
		seqs[i], ids[i] = *row.Seq, row.ID
	}
	return count, seqs, ids, nil
}

// assemble reads the stored listings of the sources with the given seqs (in the source index's
// slots) and completes each: its current task's state and moving members from the tasks' index,
// connected and last_visit_time from the agents' calls and the last one stored. The caller holds
// both indexes for reading.
func (s *Store) assemble(ctx context.Context, seqs []int64, slots []int32, count int64) (SourcePage, error) {
	page := SourcePage{Count: count}
	if len(seqs) == 0 {
		return page, nil
	}
	listed, err := s.readQueries.ListSourcePage(ctx, seqsJSON(seqs))
	if err != nil {
		return page, err
	}
	ids := make([][]byte, len(slots))
	for i, slot := range slots {
		ids[i] = s.sources.ids.id(slot)
	}
	calls, now := s.calls.lastCalls(ids), s.Now().UnixMilli()
	page.pooled = pagePool.Get().(*[]byte)
	b := slices.Grow((*page.pooled)[:0], len(listed)+len(seqs)*256)
	for i, slot := range slots {
		item, rest, _ := strings.Cut(listed, "\x01")
		listed = rest
		body, pieces, ok := strings.Cut(item, "\x02")
		if !ok {
			return SourcePage{}, fmt.Errorf("the listing of source %s has no end: %.40q", ids[i], item)
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, body...)
		if task := s.sources.task[slot]; task != noTask {
			state := s.index.nameOf[s.index.keys[task].state]
			if b, err = s.index.appendCurrentTask(b, pieces, state, &s.index.moving[task]); err != nil {
				return SourcePage{}, fmt.Errorf("source %s: %w", ids[i], err)
			}
		} else if pieces != "" {
			return SourcePage{}, fmt.Errorf("source %s lists a task the index does not know", ids[i])
		}
		// connected and last_visit_time as connectionOf gives them.
		b = append(b, `,"connected":`...)
		switch at, stored := calls[i], s.sources.lastSeen[slot]; {
		case at == noCall && stored == noCall:
			b = append(b, "false"...)
		case at == noCall:
			b = append(b, `false,"last_visit_time":`...)
			b = strconv.AppendInt(b, stored, 10)
		default:
			at = max(at, stored)
			b = strconv.AppendBool(b, isConnected(at, now))
			b = append(b, `,"last_visit_time":`...)
			b = strconv.AppendInt(b, at, 10)
		}
		b = append(b, '}')
	}
	if listed != "" {
		return SourcePage{}, fmt.Errorf("a page of %d sources read more listings", len(seqs))
	}
	page.Sources = b
	return page, nil
}

// tasksOf reads the current tasks of rows, by id.
func tasksOf(ctx context.Context, q *Queries, rows []Source) (map[string]Task, error) {
	var ids []string
	for _, row := range rows {
		if row.TaskID != nil {
			ids = append(ids, *row.TaskID)
		}
	}
	tasks := map[string]Task{}
	if len(ids) == 0 {
		return tasks, nil
	}
	list, err := marshalJSON(ids)
	if err != nil {
		return nil, err
	}
	found, err := q.ListTasksOfSources(ctx, string(list))
	for _, t := range found {
		tasks[t.ID] = t
	}
	return tasks, err
}

// bytesPerMB converts ShowServer's memory (MB) into ListServers' (bytes).
const bytesPerMB = 1 << 20

// nonEmpty is s, or nil when it is empty.
func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// writeSource renders row's listing and writes the whole row.
func writeSource(ctx context.Context, q *Queries, row *Source) error {
	if err := renderListed(row); err != nil {
		return err
	}
	return q.UpsertSource(ctx, UpsertSourceParams(*row))
}

// writeSourceState renders row's listing and writes what a change of state changes: the task it
// follows, the state and cycle, and when they changed.
func writeSourceState(ctx context.Context, q *Queries, row *Source) error {
	if err := renderListed(row); err != nil {
		return err
	}
	return q.SetSourceState(ctx, SetSourceStateParams{
		TaskID: row.TaskID, TaskSeq: row.TaskSeq, TaskState: row.TaskState, State: row.State,
		MigrationCycle: row.MigrationCycle, StateActionTime: row.StateActionTime,
		StageActionTime: row.StageActionTime, Listed: row.Listed, ID: row.ID,
	})
}

// listedSource is what a source's stored listing holds: its ListServers members but for checks
// and init_target_server, stored in columns of their own, connected and last_visit_time, which
// the agents' calls change, and its task's.
type listedSource struct {
	ID                       string  `json:"id"`
	IP                       *string `json:"ip,omitzero"`
	Name                     string  `json:"name"`
	EnterpriseProjectID      string  `json:"enterprise_project_id"`
	Migproject               string  `json:"migproject"`
	AddDate                  int64   `json:"add_date"`
	OsType                   *string `json:"os_type,omitzero"`
	OsVersion                *string `json:"os_version,omitzero"`
	OemSystem                *bool   `json:"oem_system,omitzero"`
	State                    string  `json:"state"`
	CPUQuantity              *int64  `json:"cpu_quantity,omitzero"`
	Memory                   *int64  `json:"memory,omitzero"`
	StageActionTime          int64   `json:"stage_action_time"`
	MigrationCycle           string  `json:"migration_cycle"`
	StateActionTime          int64   `json:"state_action_time"`
	IsConsistencyResultExist bool    `json:"is_consistency_result_exist"`
	HasTc                    *bool   `json:"has_tc,omitzero"`
	StartType                *string `json:"start_type,omitzero"`
	AgentVersion             *string `json:"agent_version,omitzero"`
}

// renderListed renders row's stored listing: its listedSource JSON without the closing brace.
func renderListed(row *Source) error {
	v := listedSource{
		ID: row.ID, IP: row.Ip, Name: row.Name, EnterpriseProjectID: row.EnterpriseProjectID,
		Migproject: row.Migproject, AddDate: row.AddDate, OsType: row.OsType, OsVersion: row.OsVersion,
		OemSystem: row.OemSystem, State: row.State, CPUQuantity: row.CpuQuantity,
		StageActionTime: row.StageActionTime, MigrationCycle: row.MigrationCycle,
		StateActionTime: row.StateActionTime, IsConsistencyResultExist: row.IsConsistencyResultExist,
		HasTc: row.HasTc, StartType: row.StartType, AgentVersion: row.AgentVersion,
	}
	if row.Memory != nil { // MB as registered, bytes in ListServers
		v.Memory = new(int64(math.MaxInt64))
		if *row.Memory <= math.MaxInt64/bytesPerMB {
			*v.Memory = *row.Memory * bytesPerMB
		}
	}
	b, err := marshalJSON(v)
	if err != nil {
		return fmt.Errorf("source %s: %w", row.ID, err)
	}
	row.Listed = string(b[:len(b)-1])
	return nil
}

// valueOr is *p, or or when p is nil.
func valueOr[T any](p *T, or T) T {
	if p == nil {
		return or
	}
	return *p
}

// UpdateSource changes what req gives of the source with the given id: its name, its project,
// and the adjustments of its recommended target's disks and volume groups, which are taken only
// while the source is waiting. A disk or volume an adjustment names must be the source's.
func (s *Store) UpdateSource(ctx context.Context, id string, req *sms.UpdateServerNameRequest) error {
	return s.committer.write(ctx, inSavepoint, func(ctx context.Context, tx *writeTx) error {
		tx.sourcesChanged = true
		row, err := loadSource(ctx, tx.Queries, id)
		if err != nil {
			return err
		}
		assign(&row.Name, req.Name)
		if req.Migprojectid != nil {
			if _, err := loadMigproject(ctx, tx.Queries, *req.Migprojectid); err != nil {
				return err
			}
			row.Migproject = *req.Migprojectid
		}
		if req.Disks != nil || req.VolumeGroups != nil {
			if err := waitingFor(row, "its disks and volume groups"); err != nil {
				return err
			}
			if err := adjustTarget(&row, req); err != nil {
				return err
			}
		}
		return writeSource(ctx, tx.Queries, &row)
	})
}

// waitingFor refuses to change what of a source unless it is waiting: once a migration starts,
// the docs say, such changes do not take effect.
func waitingFor(row Source, what string) error {
	if row.State != lifecycle.SourceWaiting {
		return conflict("The source server %s is %s: %s can be changed only while it is %s.", row.ID, row.State, what, lifecycle.SourceWaiting)
	}
	return nil
}

// adjustTarget applies UpdateServerName's adjustments to the recommended target of row.
func adjustTarget(row *Source, req *sms.UpdateServerNameRequest) error {
	var t sms.InitTargetServer
	if err := loadJSON(&row.InitTargetServer, &t); err != nil {
		return err
	}
	adjust := func(field string, id *string, size *int64, need *bool, find func(string) (**int64, **bool)) error {
		if id == nil {
			return &sms.InvalidError{Field: field + ".id", Rule: "is required to name what to adjust"}
		}
		dstSize, dstNeed := find(*id)
		if dstSize == nil {
			return &sms.InvalidError{Field: field + ".id", Rule: "names no disk or volume of the source server: " + *id}
		}
		setIfPresent(dstSize, size)
		setIfPresent(dstNeed, need)
		return nil
	}
	for i, pd := range req.Disks {
		field := fmt.Sprintf("disks[%d]", i)
		var disk *sms.InitTargetDisk
		err := adjust(field, pd.ID, pd.AdjustSize, pd.NeedMigration, func(id string) (**int64, **bool) {
			for j := range t.Disks {
				if valueOf(t.Disks[j].ID) == id {
					disk = &t.Disks[j]
					return &disk.AdjustSize, &disk.NeedMigration
				}
			}
			return nil, nil
		})
		if err != nil {
			return err
		}
		for k, pv := range pd.PhysicalVolumes {
			err := adjust(fmt.Sprintf("%s.physical_volumes[%d]", field, k), pv.ID, pv.AdjustSize, pv.NeedMigration, func(id string) (**int64, **bool) {
				for j := range disk.PhysicalVolumes {
					if p := &disk.PhysicalVolumes[j]; valueOf(p.ID) == id {
						return &p.AdjustSize, &p.NeedMigration
					}
				}
				return nil, nil
			})
			if err != nil {
				return err
			}
		}
	}
	for i, pg := range req.VolumeGroups {
		field := fmt.Sprintf("volume_groups[%d]", i)
		var vg *sms.InitTargetVG
		err := adjust(field, pg.ID, pg.AdjustSize, pg.NeedMigration, func(id string) (**int64, **bool) {
			for j := range t.VolumeGroups {
				if valueOf(t.VolumeGroups[j].ID) == id {
					vg = &t.VolumeGroups[j]
					return &vg.AdjustSize, &vg.NeedMigration
				}
			}
			return nil, nil
		})
		if err != nil {
			return err
		}
		for k, lv := range pg.LogicalVolumes {
			err := adjust(fmt.Sprintf("%s.logical_volumes[%d]", field, k), lv.ID, lv.AdjustSize, lv.NeedMigration, func(id string) (**int64, **bool) {
				for j := range vg.LogicalVolumes {
					if l := &vg.LogicalVolumes[j]; valueOf(l.ID) == id {
						return &l.AdjustSize, &l.NeedMigration
					}
				}
				return nil, nil
			})
			if err != nil {
				return err
			}
		}
	}
	encoded, err := encodeJSON(t)
	if err != nil {
		return err
	}
	row.InitTargetServer = *encoded
	return nil
}

// SetDiskInfo replaces the disks, volume groups and Btrfs file systems of the source with the
// given id with those req gives (each list given replaces its own), while it is waiting.
func (s *Store) SetDiskInfo(ctx context.Context, id string, req *sms.UpdateDiskInfoRequest) error {
	return s.committer.write(ctx, inSavepoint, func(ctx context.Context, tx *writeTx) error {
		tx.sourcesChanged = true
		row, err := loadSource(ctx, tx.Queries, id)
		if err != nil {
			return err
		}
		if err := waitingFor(row, "its disk information"); err != nil {
			return err
		}
		facts := sms.Source{Disks: req.Disks, VolumeGroups: req.Volumegroups, BtrfsList: req.BtrfsList}
		if err := applyFacts(&row, &facts); err != nil {
			return err
		}
		return writeSource(ctx, tx.Queries, &row)
	})
}

// SetCopyState sets the state and migration cycle of the source with the given id, which must go
// together by UpdateCopyState's combination rule (checked by the caller, lifecycle.CheckCopyState):
// until its task's state next changes. In the states where the docs say it does not take effect
// it is refused.
func (s *Store) SetCopyState(ctx context.Context, id, state, cycle string) error {
	now := s.Now().UnixMilli()
	return s.committer.write(ctx, inSavepoint, func(ctx context.Context, tx *writeTx) error {
		tx.sourcesChanged = true
		row, err := loadSource(ctx, tx.Queries, id)
		if err != nil {
			return err
		}
		if slices.Contains(lifecycle.CopyStateFrozen, row.State) {
			return conflict("The source server %s is %s: its migration state cannot be changed in that state.", id, row.State)
		}
		setState(&row, state, cycle, now)
		return writeSourceState(ctx, tx.Queries, &row)
	})
}

// DeleteSources deletes the sources with the given ids and their tasks, all or none: an unknown
// id is a *SourceNotFoundError, a source with a task in progress a *ConflictError naming the task,
// the first found in the order given.
func (s *Store) DeleteSources(ctx context.Context, ids []string) error {
	err := s.committer.write(ctx, inSavepoint, func(ctx context.Context, tx *writeTx) error {
		tx.sourcesChanged, tx.bulky = true, true
		var doomed []ListTasksOfSourceRow
		for _, id := range ids {
			if _, err := loadSource(ctx, tx.Queries, id); err != nil {
				return err
			}
			tasks, err := tx.ListTasksOfSource(ctx, &id)
			if err != nil {
				return err
			}
			for _, t := range tasks {
				if slices.Contains(lifecycle.InProgress, t.State) {
					return conflict("The source server %s has a task in progress: %s (%s) is %s; stop it before deleting the source.", id, t.ID, t.Name, t.State)
				}
			}
			doomed = append(doomed, tasks...)
		}
		for _, t := range doomed {
			if err := tx.DeleteTask(ctx, t.Seq); err != nil {
				return err
			}
			tx.noteIndexRemoval(t.ID)
		}
		for _, id := range ids {
			if err := tx.DeleteSource(ctx, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		for _, id := range ids {
			s.calls.forget(id)
		}
	}
	return err
}

// Overview counts the sources in each state, and those without a task (ShowOverview).
func (s *Store) Overview(ctx context.Context) (sms.ShowOverviewResponse, error) {
	rows, err := s.readQueries.CountSourcesPerState(ctx)
	if err != nil {
		return sms.ShowOverviewResponse{}, s.readError(err)
	}
	var o sms.ShowOverviewResponse
	counts := map[string]*int64{
		lifecycle.SourceWaiting: &o.Waiting, lifecycle.SourceReplicate: &o.Replicate,
		lifecycle.SourceSyncing: &o.Syncing, lifecycle.SourceStopped: &o.Stopped,
		lifecycle.SourceDeleting: &o.Deleting, lifecycle.SourceCutovering: &o.Cutovering,
		lifecycle.SourceUnavailable: &o.Unavailable, lifecycle.SourceStopping: &o.Stopping,
		lifecycle.SourceSkipping: &o.Skipping, lifecycle.SourceFinished: &o.Finished,
		lifecycle.SourceInitialize: &o.Initialize, lifecycle.SourceError: &o.Error,
		lifecycle.SourceCloning: &o.Cloning,
	}
	for _, r := range rows {
		if n := counts[r.State]; n != nil {
			*n = r.Sources
		}
		o.Unconfigured += r.WithoutTask
	}
	return o, nil
}

// ListErrorServers returns the page of sources whose task failed (or that are in state error)
// that q asks for, newest first, and how many there are.
func (s *Store) ListErrorServers(ctx context.Context, q *sms.ListErrorServersQuery) (count int64, errs []sms.MigrationError, err error) {
	err = s.readTx(ctx, func(qs *Queries) error {
		if count, err = qs.CountErrorSources(ctx, q.EnterpriseProjectID); err != nil {
			return err
		}
		rows, err := qs.ListErrorSources(ctx, ListErrorSourcesParams{
			EnterpriseProjectID: q.EnterpriseProjectID, Limit: int64(q.Limit), Offset: int64(*q.Offset),
		})
		if err != nil {
			return err
		}
		errs = make([]sms.MigrationError, len(rows))
		for i, r := range rows {
			errs[i] = sms.MigrationError{ErrorJSON: r.ErrorJson, HostName: r.Hostname, Name: &r.Name,
				SourceID: &r.ID, SourceIP: r.Ip}
			if ip, ok := r.TargetIp.(string); ok {
				errs[i].TargetIP = &ip
			}
		}
		return nil
	})
	return count, errs, err
}

// StatusSourceQuery selects the sources the status page shows.
type StatusSourceQuery struct {
	// Name, if not empty, keeps the sources whose name contains it (ASCII letters in any case).
	Name string
	// ConnectedOnly keeps the sources whose agents are connected.
	ConnectedOnly bool
	Limit, Offset int64
}

// StatusSource is a source as the status page shows it.
type StatusSource struct {
	Source
	Connected bool
	LastCall  *int64 // the agent's last call known, epoch ms
	Project   string // the project's name
	Task      *Task  // the current task, if any
}

// StatusSourcePage is a page of the status page's sources: how many match, and how many sources
// there are and are connected in all.
type StatusSourcePage struct {
	Count, Total, Connected int64
	Sources                 []StatusSource
}

// ListStatusSources returns the sources matching q, newest first, from one state of the database.
// The source index orders and counts them; a name search reads every name first, through SQL,
// as the tasks' does.
func (s *Store) ListStatusSources(ctx context.Context, q StatusSourceQuery) (StatusSourcePage, error) {
	page, err := s.listStatusSources(ctx, q)
	if err != nil {
		return StatusSourcePage{}, s.readError(err)
	}
	return page, nil
}

func (s *Store) listStatusSources(ctx context.Context, q StatusSourceQuery) (StatusSourcePage, error) {
	select {
	case <-s.sources.built:
		if s.sources.broken != nil {
			return StatusSourcePage{}, s.sources.broken
		}
	case <-ctx.Done():
		return StatusSourcePage{}, ctx.Err()
	}
	var found map[int64]bool
	if q.Name != "" { // searched before taking the index, which would hold up commits as long
		seqs, err := s.readQueries.SearchSourceNames(ctx, q.Name)
		if err != nil {
			return StatusSourcePage{}, err
		}
		found = make(map[int64]bool, len(seqs))
		for _, seq := range seqs {
			found[*seq] = true
		}
	}
	connectedIDs := s.calls.connectedIDs(s.Now().UnixMilli())
	rows, page, err := s.readStatusSources(ctx, q, found, connectedIDs)
	if err != nil || len(rows) == 0 {
		return page, err
	}
	tasks, err := tasksOf(ctx, s.readQueries, rows)
	if err != nil {
		return page, err
	}
	projects, err := s.readQueries.ListAllMigprojects(ctx)
	if err != nil {
		return page, err
	}
	names := map[string]string{}
	for _, p := range projects {
		names[p.ID] = p.Name
	}
	for _, row := range rows {
		connected, lastCall := s.connection(row)
		v := StatusSource{Source: row, Connected: connected, LastCall: lastCall, Project: names[row.Migproject]}
		if row.TaskID != nil {
			if t, ok := tasks[*row.TaskID]; ok {
				v.Task = &t
			}
		}
		page.Sources = append(page.Sources, v)
	}
	return page, nil
}

// readStatusSources picks the page of sources matching q (and found, for a search) in the source
// index, and reads their rows while holding it for reading.
func (s *Store) readStatusSources(ctx context.Context, q StatusSourceQuery, found map[int64]bool, connectedIDs []string) ([]Source, StatusSourcePage, error) {
	s.sources.mu.RLock()
	defer s.sources.mu.RUnlock()
	connected := s.sources.seqsOf(connectedIDs)
	page := StatusSourcePage{Total: int64(s.sources.all.size), Connected: int64(len(connected))}
	var seqs []int64
	var count int
	switch {
	case q.Name == "" && !q.ConnectedOnly:
		seqs, count = s.sources.page(nil, nil, int(q.Offset), int(q.Limit))
	default:
		seqs, count = s.sources.pageAmong(func(seq int64) bool {
			return (found == nil || found[seq]) && (!q.ConnectedOnly || connected[seq])
		}, int(q.Offset), int(q.Limit))
	}
	page.Count = int64(count)
	if len(seqs) == 0 {
		return nil, page, nil
	}
	rows, err := s.readQueries.ListSourcesBySeq(ctx, seqsJSON(seqs))
	return rows, page, err
}

// CountSources returns how many sources there are, and how many of them are connected.
func (s *Store) CountSources(ctx context.Context) (total, connected int64, err error) {
	page, err := s.ListStatusSources(ctx, StatusSourceQuery{})
	return page.Total, page.Connected, err
}
