package server

import "sync"

// cache holds encoded answers by key, at most max of them: when full it
// is emptied (answers are cheap to remake; the data's changes empty it
// too).
type cache struct {
	mu  sync.Mutex
	max int
	m   map[string][]byte
}

func newCache(max int) *cache { return &cache{max: max, m: map[string][]byte{}} }

func (c *cache) get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.m[key]
	return b, ok
}

func (c *cache) put(key string, b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[key] = b
}

func (c *cache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.m)
}
