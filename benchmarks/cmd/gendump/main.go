// Command gendump writes a synthetic Stack Exchange dump for benchmarks.
//
//	go run ./benchmarks/cmd/gendump -posts 10000000 -out benchmarks/out/10m
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/calvinslist/calvin/benchmarks/sedump"
)

func main() {
	out := flag.String("out", "", "the folder to write the dump into (created)")
	posts := flag.Int("posts", 1_000_000, "rows of Posts.xml (questions and answers)")
	comments := flag.Float64("comments", 1, "mean comments per post")
	body := flag.Int("body", 800, "mean body length in bytes, as stored")
	seed := flag.Uint64("seed", 1, "random seed: the same seed writes the same dump")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "gendump: -out is required")
		os.Exit(2)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "gendump:", err)
		os.Exit(1)
	}
	start := time.Now()
	st, err := sedump.Write(*out, sedump.Config{Seed: *seed, Posts: *posts, CommentsPerPost: *comments, BodyMean: *body})
	if err != nil {
		fmt.Fprintln(os.Stderr, "gendump:", err)
		os.Exit(1)
	}
	fmt.Printf("%s: %d questions, %d answers (%d accepted), %d comments, %d users; Posts.xml %.1f MB, Comments.xml %.1f MB; in %s\n",
		*out, st.Questions, st.Answers, st.Accepted, st.Comments, st.Users,
		float64(st.PostsBytes)/1e6, float64(st.CommentsBytes)/1e6, time.Since(start).Round(time.Millisecond))
}
