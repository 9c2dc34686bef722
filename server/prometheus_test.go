package server

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// need skips a test when a program it runs is missing, unless the
// environment variable named requires it (make test sets them).
func need(t *testing.T, program, requireEnv string) string {
	t.Helper()
	path, err := exec.LookPath(program)
	if err != nil {
		if os.Getenv(requireEnv) == "require" {
			t.Fatalf("%s is required (%s=require) but not found: scripts/install-test-deps installs it", program, requireEnv)
		}
		t.Skipf("%s not installed", program)
	}
	return path
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// TestPrometheus has a real Prometheus scrape the server, then asks it,
// through its HTTP API, for what the fixture says: 5 posts stored in
// list, 3 active contributors in October, and October's calvin board's
// first place: Alice Doe, score 4 (see fixture).
func TestPrometheus(t *testing.T) {
	prom := need(t, "prometheus", "CALVIN_TEST_PROMETHEUS")
	_, ts := testServer(t, Options{})
	dir := t.TempDir()
	target := strings.TrimPrefix(ts.URL, "http://")
	conf := fmt.Sprintf("global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: calvin\n    static_configs:\n      - targets: [%q]\n", target)
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freePort(t)
	logf, err := os.Create(filepath.Join(dir, "prometheus.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(prom, "--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "data"), "--web.listen-address="+addr)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			log, _ := os.ReadFile(logf.Name())
			t.Logf("prometheus's log:\n%s", log)
		}
	})

	query := func(q string) (labels map[string]string, value string, ok bool) {
		resp, err := http.Get("http://" + addr + "/api/v1/query?query=" + url.QueryEscape(q))
		if err != nil {
			return nil, "", false
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		var r struct {
			Status string `json:"status"`
			Data   struct {
				Result []struct {
					Metric map[string]string `json:"metric"`
					Value  [2]any            `json:"value"`
				} `json:"result"`
			} `json:"data"`
		}
		if json.Unmarshal(body, &r) != nil || r.Status != "success" || len(r.Data.Result) != 1 {
			return nil, "", false
		}
		v, _ := r.Data.Result[0].Value[1].(string)
		return r.Data.Result[0].Metric, v, true
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, v, ok := query(`calvin_source_posts{source="list"}`); ok {
			if v != "5" {
				t.Fatalf("calvin_source_posts: %s, want 5", v)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Prometheus has not scraped calvin_source_posts in 60 s")
		}
		time.Sleep(250 * time.Millisecond)
	}
	for _, c := range []struct{ q, want string }{
		{`calvin_active_contributors{source="list",area="all"}`, "3"},
		{`calvin_board_score{profile="calvin",area="all",position="1"}`, "4"},
		{`calvin_board_score{profile="calvin",area="all",position="2"}`, "2"},
		{`count(calvin_board_score{profile="calvin",area="all"})`, "2"}, // server.top: 2
		{`up{job="calvin"}`, "1"},
	} {
		if _, v, ok := query(c.q); !ok || v != c.want {
			t.Errorf("%s: %q (found %v), want %s", c.q, v, ok, c.want)
		}
	}
	labels, v, ok := query(`calvin_board_entry_info{profile="calvin",area="all",position="1"}`)
	if !ok || v != "1" || labels["name"] != "Alice Doe" || labels["person"] != "mail:alice@x.org" || labels["rank"] != "1" {
		t.Errorf("first place's info: %v %q %v", labels, v, ok)
	}
	checkDashboard(t, "http://"+addr)
}

// checkDashboard runs every query of configs/grafana-dashboard.json
// through Prometheus (profile calvin, area all): each must be valid
// PromQL, and the top contributors' table must list the board's two
// places (server.top: 2) with their names.
func checkDashboard(t *testing.T, prom string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "configs", "grafana-dashboard.json"))
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(data, &dash); err != nil {
		t.Fatalf("the dashboard: %v", err)
	}
	queries := 0
	for _, p := range dash.Panels {
		for _, target := range p.Targets {
			q := strings.NewReplacer("$profile", "calvin", "$area", "all").Replace(target.Expr)
			resp, err := http.Get(prom + "/api/v1/query?query=" + url.QueryEscape(q))
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var r struct {
				Status string `json:"status"`
				Data   struct {
					Result []struct {
						Metric map[string]string `json:"metric"`
					} `json:"result"`
				} `json:"data"`
			}
			if err := json.Unmarshal(body, &r); err != nil || r.Status != "success" {
				t.Errorf("panel %q: %s: %s", p.Title, q, body)
				continue
			}
			queries++
			if strings.HasPrefix(p.Title, "Top contributors") {
				var names []string
				for _, m := range r.Data.Result {
					names = append(names, m.Metric["name"])
				}
				slices.Sort(names)
				if strings.Join(names, ",") != "Alice Doe,Bob Roe" {
					t.Errorf("the dashboard's top contributors: %v, want Alice Doe and Bob Roe", names)
				}
			}
		}
	}
	if queries < 8 {
		t.Errorf("only %d of the dashboard's queries ran", queries)
	}
}

// TestMetricsLint runs promtool's check of the names, help and types.
func TestMetricsLint(t *testing.T) {
	promtool := need(t, "promtool", "CALVIN_TEST_PROMETHEUS")
	_, ts := testServer(t, Options{})
	resp, err := http.Get(ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, name := range []string{"calvin_source_posts", "calvin_board_score", "calvin_board_entry_info", "calvin_active_contributors", "calvin_source_newest_post_timestamp_seconds"} {
		if !strings.Contains(string(body), "\n"+name+"{") {
			t.Errorf("/metrics has no %s", name)
		}
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(string(body))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s\n--- the metrics:\n%s", err, out, body)
	}
}
