package db

import (
	"context"
	"database/sql"
	"errors"

	"smslab/sms"
)

// Migration projects group source servers. A database always has exactly one default project,
// which new sources join: migration 0007 makes it, named default, and no write leaves the
// database without one.

// The settings of a project that a request leaves out, as the API documents them.
const (
	defaultProjectName       = "default"
	defaultProjectType       = "MIGRATE_BLOCK" // the one type both Linux and Windows migrate with
	defaultEnterpriseProject = "default"
)

// ListMigprojects returns the page of projects q asks for, newest first, and how many there are.
func (s *Store) ListMigprojects(ctx context.Context, q *sms.PageQuery) (count int64, projects []sms.Migproject, err error) {
	err = s.readTx(ctx, func(qs *Queries) error {
		if count, err = qs.CountMigprojects(ctx); err != nil {
			return err
		}
		rows, err := qs.ListMigprojects(ctx, ListMigprojectsParams{Limit: int64(q.Limit), Offset: int64(q.Offset)})
		if err != nil {
			return err
		}
		projects = make([]sms.Migproject, len(rows))
		for i, p := range rows {
			projects[i] = migprojectView(p)
		}
		return nil
	})
	return count, projects, err
}

// GetMigproject returns the project with the given id.
func (s *Store) GetMigproject(ctx context.Context, id string) (sms.Migproject, error) {
	p, err := loadMigproject(ctx, s.readQueries, id)
	if err != nil {
		return sms.Migproject{}, s.readError(err)
	}
	return migprojectView(p), nil
}

// CreateMigproject stores a new project and returns its id. A project created as the default
// takes that role from the former default.
func (s *Store) CreateMigproject(ctx context.Context, req *sms.CreateMigprojectRequest) (string, error) {
	p := Migproject{
		ID: sms.NewID(), Name: *req.Name, Description: deref(req.Description),
		Region: *req.Region, StartTargetServer: orTrue(req.StartTargetServer),
		SpeedLimit: int64(valueOf(req.SpeedLimit)), UsePublicIp: orTrue(req.UsePublicIP),
		ExistServer: orTrue(req.ExistServer), Type: *req.Type,
		EnterpriseProject: defaultEnterpriseProject, Syncing: valueOf(req.Syncing),
		StartNetworkCheck: valueOf(req.StartNetworkCheck), CreateDate: s.Now().UnixMilli(),
	}
	if req.EnterpriseProject != nil {
		p.EnterpriseProject = *req.EnterpriseProject
	}
	err := s.committer.write(ctx, inSavepoint, func(ctx context.Context, tx *writeTx) error {
		if err := nameFree(ctx, tx.Queries, p.Name, p.ID); err != nil {
			return err
		}
		if valueOf(req.Isdefault) {
			if err := tx.ClearDefaultMigproject(ctx); err != nil {
				return err
			}
			p.Isdefault = true
		}
		return tx.UpsertMigproject(ctx, migprojectParams(p))
	})
	return p.ID, err
}

// UpdateMigproject changes the fields req gives of the project with the given id. isdefault true
// makes it the default; false is refused for the default project, which stays the default until
// another is made it.
func (s *Store) UpdateMigproject(ctx context.Context, id string, req *sms.UpdateMigprojectRequest) error {
	return s.committer.write(ctx, inSavepoint, func(ctx context.Context, tx *writeTx) error {
		p, err := loadMigproject(ctx, tx.Queries, id)
		if err != nil {
			return err
		}
		if req.Name != nil && *req.Name != p.Name {
			if err := nameFree(ctx, tx.Queries, *req.Name, id); err != nil {
				return err
			}
			p.Name = *req.Name
		}
		assign(&p.Description, req.Description)
		assign(&p.Region, req.Region)
		assign(&p.StartTargetServer, req.StartTargetServer)
		if req.SpeedLimit != nil {
			p.SpeedLimit = int64(*req.SpeedLimit)
		}
		assign(&p.UsePublicIp, req.UsePublicIP)
		assign(&p.ExistServer, req.ExistServer)
		assign(&p.Type, req.Type)
		assign(&p.EnterpriseProject, req.EnterpriseProject)
		assign(&p.Syncing, req.Syncing)
		assign(&p.StartNetworkCheck, req.StartNetworkCheck)
		switch {
		case req.Isdefault == nil || *req.Isdefault == p.Isdefault:
		case *req.Isdefault:
			if err := tx.ClearDefaultMigproject(ctx); err != nil {
				return err
			}
			p.Isdefault = true
		default:
			return conflict("The migration project %s is the default one: make another project the default instead (UpdateDefaultMigproject).", p.Name)
		}
		return tx.UpsertMigproject(ctx, migprojectParams(p))
	})
}

// SetDefaultMigproject makes the project with the given id the default, and the former default
// an ordinary project.
func (s *Store) SetDefaultMigproject(ctx context.Context, id string) error {
	return s.committer.write(ctx, inSavepoint, func(ctx context.Context, tx *writeTx) error {
		if _, err := loadMigproject(ctx, tx.Queries, id); err != nil {
			return err
		}
		if err := tx.ClearDefaultMigproject(ctx); err != nil {
			return err
		}
		return tx.SetDefaultMigproject(ctx, id)
	})
}

// DeleteMigproject deletes the project with the given id, unless it is the default or holds
// source servers.
func (s *Store) DeleteMigproject(ctx context.Context, id string) error {
	return s.committer.write(ctx, inSavepoint, func(ctx context.Context, tx *writeTx) error {
		p, err := loadMigproject(ctx, tx.Queries, id)
		if err != nil {
			return err
		}
		if p.Isdefault {
			return conflict("The migration project %s is the default one and cannot be deleted: make another project the default first.", p.Name)
		}
		n, err := tx.CountSourcesInMigproject(ctx, id)
		if err != nil {
			return err
		}
		if n > 0 {
			return conflict("The migration project %s holds %d source servers and cannot be deleted: move them to another project (UpdateServerName) or delete them first.", p.Name, n)
		}
		return tx.DeleteMigproject(ctx, id)
	})
}

// nameFree refuses a project name that a project other than id has.
func nameFree(ctx context.Context, q *Queries, name, id string) error {
	other, err := q.GetMigprojectByName(ctx, name)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return err
	case other.ID != id:
		return conflict("The migration project name %s is already taken by project %s.", name, other.ID)
	}
	return nil
}

func loadMigproject(ctx context.Context, q *Queries, id string) (Migproject, error) {
	p, err := q.GetMigproject(ctx, id)
	if errors.Is(err, sql.ErrNoRows) {
		return Migproject{}, &MigprojectNotFoundError{ID: id}
	}
	return p, err
}

// createDefaultMigproject stores a new database's default project. Its creation date is 0: it
// was there before any other, and lists last.
func createDefaultMigproject(ctx context.Context, q *Queries) error {
	return q.UpsertMigproject(ctx, UpsertMigprojectParams{
		ID: sms.NewID(), Name: defaultProjectName, Isdefault: true, StartTargetServer: true,
		UsePublicIp: true, ExistServer: true, Type: defaultProjectType,
		EnterpriseProject: defaultEnterpriseProject,
	})
}

// migprojectView is a stored project as the API answers it.
func migprojectView(p Migproject) sms.Migproject {
	speed := int32(p.SpeedLimit)
	return sms.Migproject{
		ID: &p.ID, Name: &p.Name, Description: &p.Description, Isdefault: &p.Isdefault,
		Region: &p.Region, StartTargetServer: &p.StartTargetServer, SpeedLimit: &speed,
		UsePublicIP: &p.UsePublicIp, ExistServer: &p.ExistServer, Type: &p.Type,
		EnterpriseProject: &p.EnterpriseProject, Syncing: &p.Syncing,
		StartNetworkCheck: &p.StartNetworkCheck,
	}
}

// migprojectParams is p without its seq, for UpsertMigproject.
func migprojectParams(p Migproject) UpsertMigprojectParams {
	return UpsertMigprojectParams{
		ID: p.ID, Name: p.Name, Description: p.Description, Isdefault: p.Isdefault,
		Region: p.Region, StartTargetServer: p.StartTargetServer, SpeedLimit: p.SpeedLimit,
		UsePublicIp: p.UsePublicIp, ExistServer: p.ExistServer, Type: p.Type,
		EnterpriseProject: p.EnterpriseProject, Syncing: p.Syncing,
		StartNetworkCheck: p.StartNetworkCheck, CreateDate: p.CreateDate,
	}
}

// assign sets *dst to *v when v is given.
func assign[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// valueOf is *p, or the zero value when p is nil.
func valueOf[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// orTrue is *p, or true when p is nil: the default of several project settings.
func orTrue(p *bool) bool { return p == nil || *p }
