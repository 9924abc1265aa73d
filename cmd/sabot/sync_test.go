package main

import (
	"bytes"
	"sync"
)

var syncMu sync.Mutex

// syncWriter guards a buffer written by the command under test and read by
// the test.
type syncWriter struct{ w *bytes.Buffer }

func (s *syncWriter) Write(p []byte) (int, error) {
	syncMu.Lock()
	defer syncMu.Unlock()
	return s.w.Write(p)
}

func syncString(b *bytes.Buffer) string {
	syncMu.Lock()
	defer syncMu.Unlock()
	return b.String()
}
