package server

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// browser starts a headless Chromium for a test.
func browser(t *testing.T) context.Context {
	t.Helper()
	exe := need(t, "chromium", "CALVIN_TEST_CHROMIUM")
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.WindowSize(390, 844)) // a phone's screen
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(alloc)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(cancel3)
	return ctx
}

// artifact is where a test writes what a person may want to look at:
// $CALVIN_ARTIFACTS, else artifacts/ at the repository's root.
func artifact(t *testing.T, name string) string {
	dir := os.Getenv("CALVIN_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, name)
}

// TestPages drives the pages in headless Chromium: October's board (see
// fixture), the window selector turning it into the twelve months' (Bob
// then has 3: October's 2 and September's 1), Alice's page with its chart
// (one month: a bar for posts, one for replies received) and the four
// posts behind her October (sent m1 and m4, received m2 and m3).
func TestPages(t *testing.T) {
	_, ts := testServer(t, Options{})
	ctx := browser(t)
	column := func(i int) []string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
			fmt.Sprintf(`Array.from(document.querySelectorAll('#entries tbody tr')).map(r => r.cells[%d].textContent.trim())`, i)))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: PNG
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(artifact(t, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/?month=2026-10"), chromedp.WaitVisible("#entries")); err != nil {
		t.Fatal(err)
	}
	if names, scores := column(2), column(3); strings.Join(names, ",") != "Alice Doe,Bob Roe,Carol Poe" || strings.Join(scores, ",") != "4,2,1" {
		t.Fatalf("October's board: %v %v", names, scores)
	}
	shot("board-month.png")

	// Choosing 12m in the selector shows that board at once (a script
	// submits the form on change).
	// (One evaluation picks the value and fires the change a person's
	// choice fires: the page may be gone as soon as the event is.)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
		const s = document.querySelector('select[name="window"]');
		s.value = '12m';
		return s.dispatchEvent(new Event('change'));
	})()`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(`//h1[contains(., "(12m)")]`)); err != nil {
		t.Fatal(err)
	}
	title, err := chromedp.Run(ctx, chromedp.Text("h1"))
	if err != nil {
		t.Fatal(err)
	}
	if names, scores := column(2), column(3); !strings.Contains(title, "2025-11-01 to 2026-10-31") ||
		strings.Join(names, ",") != "Alice Doe,Bob Roe,Carol Poe" || strings.Join(scores, ",") != "4,3,1" {
		t.Fatalf("after choosing 12m: %q %v %v", title, names, scores)
	}
	shot("board-12m.png")

	if err := chromedp.Do(ctx, chromedp.Click(`//a[text()="Alice Doe"]`), chromedp.WaitVisible("#chart")); err != nil {
		t.Fatal(err)
	}
	heading, err := chromedp.Run(ctx, chromedp.Text("h1"))
	if err != nil {
		t.Fatal(err)
	}
	bars, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#chart rect.bar').length`))
	if err != nil {
		t.Fatal(err)
	}
	posts, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#posts tbody tr').length`))
	if err != nil {
		t.Fatal(err)
	}
	if heading != "Alice Doe" || bars != 2 || posts != 4 {
		t.Errorf("Alice's page: heading %q, %d bars (want 2), %d posts (want 4)", heading, bars, posts)
	}
	shot("person.png")
}

// TestPagesWithoutJavaScript: with scripts off, the Show button changes
// the board.
func TestPagesWithoutJavaScript(t *testing.T) {
	_, ts := testServer(t, Options{})
	ctx := browser(t)
	noScripts := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	})
	err := chromedp.Do(ctx,
		chromedp.Navigate("about:blank"),
		noScripts,
		chromedp.Navigate(ts.URL+"/?month=2026-10"),
		chromedp.WaitVisible("#entries"),
		chromedp.SetValue(chromedp.CSS(`select[name="window"]`), "12m"),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitVisible(`//h1[contains(., "(12m)")]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The protocol's own evaluation reads the table; the page's scripts
	// stay off.
	scores, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#entries tbody tr')).map(r => r.cells[3].textContent.trim())`))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(scores, ",") != "4,3,1" {
		t.Errorf("12 months without JavaScript: %v, want 4,3,1", scores)
	}
}
