package queries

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestReports: every report documents a summary and exactly the
// parameters its SQL uses, each required, optional or with a default.
func TestReports(t *testing.T) {
	reports, err := Reports()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range reports {
		names = append(names, r.Name)
		if r.Summary == "" {
			t.Errorf("%s: no summary", r.Name)
		}
		var documented []string
		for _, p := range r.Params {
			documented = append(documented, p.Name)
		}
		body := r.SQL[strings.Index(r.SQL, "\n"+firstStatement(r.SQL)):]
		var used []string
		for _, m := range regexp.MustCompile(`\$([a-z_]+)`).FindAllStringSubmatch(body, -1) {
			if !slices.Contains(used, m[1]) {
				used = append(used, m[1])
			}
		}
		slices.Sort(used)
		slices.Sort(documented)
		if !slices.Equal(used, documented) {
			t.Errorf("%s: the SQL uses %v, the comment documents %v", r.Name, used, documented)
		}
	}
	if got := strings.Join(names, " "); got != "history runs sources thread" {
		t.Errorf("reports %s", got)
	}
	r, err := GetReport("runs")
	if err != nil {
		t.Fatal(err)
	}
	if r.Summary != "the latest ingests, newest first: what each read, skipped, dropped as duplicates and stored, and how long it took." {
		t.Errorf("summary %q", r.Summary)
	}
	if len(r.Params) != 2 || r.Params[0].Name != "source" || r.Params[0].Required || r.Params[0].Default != nil ||
		r.Params[1].Name != "limit" || r.Params[1].Default == nil || *r.Params[1].Default != "20" {
		t.Errorf("params %+v", r.Params)
	}
	if _, err := GetReport("../schema"); err == nil {
		t.Error("a report outside reports/")
	}
}

// firstStatement returns the first line that is not a comment.
func firstStatement(sql string) string {
	for line := range strings.Lines(sql) {
		if !strings.HasPrefix(line, "--") {
			return strings.TrimRight(line, "\n")
		}
	}
	return ""
}

func TestParam(t *testing.T) {
	if _, err := param("$x  something"); err == nil || !strings.Contains(err.Error(), "say (required), (optional) or (default: VALUE)") {
		t.Errorf("undocumented rule: %v", err)
	}
	p, err := param("$top  how many (default: 10)")
	if err != nil || *p.Default != "10" || p.Doc != "how many (default: 10)" {
		t.Errorf("%+v, %v", p, err)
	}
}

// TestBindChecksTypes: a value the SQL would fail to cast is refused by
// Bind in Calvin's words, naming the report and the parameter.
func TestBindChecksTypes(t *testing.T) {
	r, err := GetReport("runs")
	if err != nil {
		t.Fatal(err)
	}
	if r.Params[1].Type != "INTEGER" || r.Params[0].Type != "" {
		t.Errorf("types %+v", r.Params)
	}
	if _, err := r.Bind(map[string]string{"limit": "abc"}); err == nil || err.Error() != `runs: parameter limit wants a whole number, got "abc"` {
		t.Errorf("limit=abc: %v", err)
	}
	if _, err := r.Bind(map[string]string{"limit": "99999999999"}); err == nil {
		t.Error("limit=99999999999, past an INTEGER: no error")
	}
	if _, err := r.Bind(map[string]string{"limit": "5", "source": "anything"}); err != nil {
		t.Errorf("limit=5: %v", err)
	}
}
