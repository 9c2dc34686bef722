package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"

	"github.com/calvinslist/calvin/engine"
	"github.com/calvinslist/calvin/ingest/message"
	"github.com/calvinslist/calvin/queries"
	"github.com/calvinslist/calvin/report"
)

const peopleUsage = `Usage: calvin people suggest [--limit N] [--format FORMAT]

Lists pairs of accounts that look like one person and are not one yet,
with the evidence: the same name shown in two accounts, mail addresses
that differ only in a +tag or in their domain, an address that is another
with an anti-spam marker in it (hamish_nospam@yahoo.com, hamish@yahoo.com:
the ingest keeps such an address as written, since it may be real). Nothing is merged: to make
two accounts one person, name them under people in the configuration
(--config), whose people are not suggested again.
`

func runPeople(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "people", peopleUsage)
	db := fs.String("db", engine.DefaultPath, "the database `file`")
	memory := memoryFlag(fs, otherMemory)
	format := fs.String("format", "table", "output `format`: table, markdown, csv or json")
	limit := fs.Int("limit", 50, "list at most `N` pairs")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || pos[0] != "suggest" {
		return usageError("want: calvin people suggest")
	}
	if err := checkFormat(*format); err != nil {
		return err
	}
	type account struct {
		Name   string `json:"name"`
		Source string `json:"source"`
		Author string `json:"author"`
	}
	people := []account{}
	if e.cfg != nil {
		for _, p := range e.cfg.People {
			for _, a := range p.Accounts {
				people = append(people, account{p.Name, a.Source, a.Author})
			}
		}
	}
	ppl, err := json.Marshal(people)
	if err != nil {
		return err
	}
	store, err := openRead(ctx, dbPath(e, fs, *db), *memory)
	if err != nil {
		return err
	}
	defer store.Close()
	rows, err := store.DB().QueryContext(ctx, queries.MustGet("people_suggest"),
		sql.Named("people", string(ppl)), sql.Named("limit", *limit),
		sql.Named("markers", strings.Join(message.SpamMarkers, "|")))
	if err != nil {
		return err
	}
	defer rows.Close()
	t, err := report.FromRows(rows)
	if err != nil {
		return err
	}
	return report.Write(e.stdout, *format, t)
}
