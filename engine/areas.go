package engine

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/calvinslist/calvin/ingest"
)

// The technology areas of the configuration are counted ahead of the
// boards: each refresh keeps, for every area in counted_areas, the
// monthly metrics of the posts in it (area_metrics), as it keeps
// monthly_metrics for every post (engine/metrics.go, the same counting
// with the area's posts only). An area is known by its patterns, so a
// renamed area is the same and an area whose patterns change is a new
// one. An area of the configuration not counted yet is counted, for every
// source, by the next refresh (an ingest, a pull, calvin refresh); until
// then its boards count its months from the links (engine/board.go), to
// the same numbers. An area the configuration no longer has is dropped
// by the next refresh given a configuration (one without, calvin ingest
// --db alone, keeps every counted area).

// countedArea is an area whose monthly metrics area_metrics keeps.
type countedArea struct {
	id       int32
	patterns []string
}

// areaPatterns writes an area's patterns as counted_areas keeps them:
// sorted, each once, as a JSON list.
func areaPatterns(patterns []string) string {
	p := slices.Clone(patterns)
	slices.Sort(p)
	return listJSON(slices.Compact(p))
}

// countedAreas returns the areas whose monthly metrics are kept, after
// adding those of the store's configuration not counted yet and, when it
// has a configuration, dropping those the configuration no longer has;
// added are the ones added, whose months no source has counted.
func (s *Store) countedAreas(ctx context.Context, tx *sql.Tx) (counted, added []countedArea, err error) {
	rows, err := tx.QueryContext(ctx, "SELECT area_id, patterns FROM counted_areas ORDER BY area_id")
	if err != nil {
		return nil, nil, fmt.Errorf("counted areas: %w", err)
	}
	have := map[string]bool{}
	next := int32(1)
	for rows.Next() {
		var a countedArea
		var patterns string
		if err := rows.Scan(&a.id, &patterns); err != nil {
			rows.Close()
			return nil, nil, fmt.Errorf("counted areas: %w", err)
		}
		if err := json.Unmarshal([]byte(patterns), &a.patterns); err != nil {
			rows.Close()
			return nil, nil, fmt.Errorf("counted areas: area %d: %w", a.id, err)
		}
		have[patterns] = true
		next = max(next, a.id+1)
		counted = append(counted, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("counted areas: %w", err)
	}
	// With a configuration, the areas it no longer has are no longer
	// counted.
	configured := map[string]bool{}
	for _, p := range s.areas {
		configured[areaPatterns(p)] = true
	}
	if s.areas != nil {
		kept := counted[:0]
		for _, a := range counted {
			if configured[areaPatterns(a.patterns)] {
				kept = append(kept, a)
				continue
			}
			for _, table := range []string{"counted_areas", "area_metrics"} {
				if _, err := tx.ExecContext(ctx, "DELETE FROM "+table+" WHERE area_id = ?", a.id); err != nil {
					return nil, nil, fmt.Errorf("counted areas: %w", err)
				}
			}
		}
		counted = kept
	}
	for _, name := range slices.Sorted(maps.Keys(s.areas)) {
		patterns := areaPatterns(s.areas[name])
		if len(s.areas[name]) == 0 || have[patterns] {
			continue
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO counted_areas VALUES (?, ?)", next, patterns); err != nil {
			return nil, nil, fmt.Errorf("counted areas: %w", err)
		}
		a := countedArea{id: next}
		json.Unmarshal([]byte(patterns), &a.patterns) // written just now: it cannot fail
		have[patterns] = true
		next++
		counted = append(counted, a)
		added = append(added, a)
	}
	return counted, added, nil
}

// countedAreaID returns the number of the counted area of patterns, 0 when
// it is not counted.
func countedAreaID(ctx context.Context, db querier, patterns []string) (int32, error) {
	var id int32
	err := db.QueryRowContext(ctx, "SELECT area_id FROM counted_areas WHERE patterns = ?", areaPatterns(patterns)).Scan(&id)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	return id, err
}

// countAreas returns the counted areas, after counting every month of the
// configuration's areas not counted yet in every source but source, whose
// refresh counts them with the rest; or in every source, when the refresh
// of source counts only the months added posts change.
func (s *Store) countAreas(ctx context.Context, tx *sql.Tx, ar *lockedArrow, source string, added bool, stats *ingest.Stats) ([]countedArea, error) {
	areas, fresh, err := s.countedAreas(ctx, tx)
	if err != nil || len(fresh) == 0 {
		return areas, err
	}
	sources, err := storedSources(ctx, tx)
	if err != nil {
		return nil, err
	}
	for _, src := range sources {
		if src == source && !added {
			continue
		}
		if err := refreshMetrics(ctx, tx, ar, src, fresh, false, stats); err != nil {
			return nil, fmt.Errorf("%s: %w", src, err)
		}
	}
	return areas, nil
}
