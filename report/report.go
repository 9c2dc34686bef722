// Package report writes tables of results in the formats people and
// programs read: an aligned terminal table, Markdown, CSV and JSON.
package report

import (
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Formats lists the names Write takes.
func Formats() []string { return []string{"table", "markdown", "csv", "json"} }

// Table is a result: named columns and rows of values (nil, strings,
// integers, floats, booleans, times, or anything fmt prints).
type Table struct {
	Columns []string
	Rows    [][]any
}

// FromRows reads every row of rows into a Table.
func FromRows(rows *sql.Rows) (*Table, error) {
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	t := &Table{Columns: cols}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		t.Rows = append(t.Rows, vals)
	}
	return t, rows.Err()
}

// Write writes t to w in the named format.
func Write(w io.Writer, format string, t *Table) error {
	switch format {
	case "table", "":
		return writeText(w, t)
	case "markdown", "md":
		return writeMarkdown(w, t)
	case "csv":
		return writeCSV(w, t)
	case "json":
		return writeJSON(w, t)
	}
	return fmt.Errorf("unknown format %q: use one of %s", format, strings.Join(Formats(), ", "))
}

// text formats one value for the text formats.
func text(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case []byte:
		return string(v)
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1e15 {
			return strconv.FormatInt(int64(v), 10)
		}
		return strconv.FormatFloat(v, 'f', -1, 64)
	case float32:
		return text(float64(v))
	case time.Time:
		if v.Hour() == 0 && v.Minute() == 0 && v.Second() == 0 && v.Nanosecond() == 0 {
			return v.Format("2006-01-02")
		}
		return v.Format("2006-01-02 15:04:05")
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = text(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprint(v)
}

// isNumber reports whether a column's values are right-aligned.
func isNumber(v any) bool {
	switch v.(type) {
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		return true
	}
	return false
}

func writeText(w io.Writer, t *Table) error {
	if len(t.Rows) == 0 {
		_, err := fmt.Fprintln(w, "(no rows)")
		return err
	}
	cells := make([][]string, 0, len(t.Rows)+1)
	cells = append(cells, t.Columns)
	widths := make([]int, len(t.Columns))
	for _, row := range t.Rows {
		line := make([]string, len(row))
		for i, v := range row {
			line[i] = strings.ReplaceAll(text(v), "\n", " ")
		}
		cells = append(cells, line)
	}
	for _, line := range cells {
		for i, c := range line {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	for _, line := range cells {
		padded := make([]string, len(line))
		for i, c := range line {
			// Numbers align right, as in every column of figures.
			padded[i] = pad(c, widths[i], isNumber(t.Rows[0][i]))
		}
		b.WriteString(strings.TrimRight(strings.Join(padded, "  "), " "))
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func pad(s string, width int, right bool) string {
	n := width - utf8.RuneCountInString(s)
	if n <= 0 {
		return s
	}
	if right {
		return strings.Repeat(" ", n) + s
	}
	return s + strings.Repeat(" ", n)
}

func writeMarkdown(w io.Writer, t *Table) error {
	esc := func(s string) string {
		return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ")
	}
	var b strings.Builder
	b.WriteString("|")
	for _, c := range t.Columns {
		b.WriteString(" " + esc(c) + " |")
	}
	b.WriteString("\n|")
	for i := range t.Columns {
		if len(t.Rows) > 0 && isNumber(t.Rows[0][i]) {
			b.WriteString("---:|")
		} else {
			b.WriteString("---|")
		}
	}
	b.WriteString("\n")
	for _, row := range t.Rows {
		b.WriteString("|")
		for _, v := range row {
			b.WriteString(" " + esc(text(v)) + " |")
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeCSV(w io.Writer, t *Table) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(t.Columns); err != nil {
		return err
	}
	rec := make([]string, len(t.Columns))
	for _, row := range t.Rows {
		for i, v := range row {
			rec[i] = text(v)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeJSON writes an array of objects, one per row, keys in column order.
func writeJSON(w io.Writer, t *Table) error {
	var b strings.Builder
	b.WriteString("[")
	for r, row := range t.Rows {
		if r > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n  {")
		for i, v := range row {
			if i > 0 {
				b.WriteString(", ")
			}
			k, _ := json.Marshal(t.Columns[i])
			b.Write(k)
			b.WriteString(": ")
			val, err := json.Marshal(jsonValue(v))
			if err != nil {
				return fmt.Errorf("column %s: %w", t.Columns[i], err)
			}
			b.Write(val)
		}
		b.WriteString("}")
	}
	if len(t.Rows) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("]\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func jsonValue(v any) any {
	switch v := v.(type) {
	case []byte:
		return string(v)
	case time.Time:
		return v.UTC().Format(time.RFC3339Nano)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil
		}
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = jsonValue(e)
		}
		return out
	}
	return v
}
