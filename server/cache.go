package server

import (
	"container/list"
	"sync"
)

// cache holds encoded answers by key, at most max bytes of keys and
// answers together: past that the least recently used go first. An
// answer larger than max is not kept. The data's changes empty it.
type cache struct {
	mu    sync.Mutex
	max   int
	size  int
	order *list.List               // front: the most recently used
	items map[string]*list.Element // key -> its element, whose Value is an *entry
}

type entry struct {
	key string
	b   []byte
}

func newCache(maxBytes int) *cache {
	return &cache{max: maxBytes, order: list.New(), items: map[string]*list.Element{}}
}

func (c *cache) get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*entry).b, true
}

func (c *cache) put(key string, b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := len(key) + len(b)
	if n > c.max {
		return
	}
	if e, ok := c.items[key]; ok {
		c.remove(e)
	}
	for c.size+n > c.max {
		c.remove(c.order.Back())
	}
	c.items[key] = c.order.PushFront(&entry{key, b})
	c.size += n
}

// remove drops e; the caller holds mu.
func (c *cache) remove(e *list.Element) {
	en := c.order.Remove(e).(*entry)
	delete(c.items, en.key)
	c.size -= len(en.key) + len(en.b)
}

// bytes returns the size of what the cache holds.
func (c *cache) bytes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.size
}

func (c *cache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.order.Init()
	clear(c.items)
	c.size = 0
}
