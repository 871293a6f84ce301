package db

import "context"

// linkSources is migration 0007's Go step: it gives the database its default migration project.
func linkSources(ctx context.Context, q *Queries) error {
	return createDefaultMigproject(ctx, q)
}
