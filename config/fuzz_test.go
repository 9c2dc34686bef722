package config

import (
	"os"
	"testing"
)

// FuzzConfig: any configuration file is read or refused with an error,
// never a panic.
func FuzzConfig(f *testing.F) {
	for _, name := range []string{"../configs/calvin.yaml", "testdata/good.yaml"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("sources:\n  - name: s\n    location: a\n    location: b\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		Parse("c.yaml", data)
	})
}
