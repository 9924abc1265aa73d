package batch_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/sabot-kafka/sabot/batch"
)

func TestSizerRowsAndBytes(t *testing.T) {
	s, err := batch.NewSizer(batch.Limits{Rows: 3, Bytes: 100})
	if err != nil {
		t.Fatal(err)
	}
	if r := s.Add(1, 10); r != batch.NotFull {
		t.Fatalf("after 1 row: %v", r)
	}
	if r := s.Add(2, 10); r != batch.FullRows {
		t.Fatalf("after 3 rows: %v", r)
	}
	s.Reset()
	if r := s.Add(1, 100); r != batch.FullBytes || s.Rows() != 1 || s.Bytes() != 100 {
		t.Fatalf("after 100 bytes: %v rows %d bytes %d", r, s.Rows(), s.Bytes())
	}
	if _, ok := s.Wait(); ok {
		t.Fatal("Wait without a linger limit")
	}
}

func TestSizerLinger(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, err := batch.NewSizer(batch.Limits{Rows: 1000, Linger: 50 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := s.Wait(); ok {
			t.Fatal("an empty batch lingers")
		}
		time.Sleep(time.Second) // time before the first record does not count
		s.Add(1, 1)
		if d, ok := s.Wait(); !ok || d != 50*time.Millisecond {
			t.Fatalf("wait %v %v", d, ok)
		}
		time.Sleep(30 * time.Millisecond)
		if r := s.Add(1, 1); r != batch.NotFull {
			t.Fatalf("at 30ms: %v", r)
		}
		if d, _ := s.Wait(); d != 20*time.Millisecond {
			t.Fatalf("wait at 30ms: %v", d)
		}
		time.Sleep(20 * time.Millisecond)
		if r := s.Full(); r != batch.FullLinger {
			t.Fatalf("at 50ms: %v", r)
		}
		if d, ok := s.Wait(); !ok || d != 0 {
			t.Fatalf("wait when due: %v %v", d, ok)
		}
		s.Reset()
		if r := s.Full(); r != batch.NotFull {
			t.Fatalf("after reset: %v", r)
		}
	})
}

func TestLimitsValidate(t *testing.T) {
	for _, l := range []batch.Limits{{}, {Rows: -1}, {Linger: -time.Second}} {
		if _, err := batch.NewSizer(l); err == nil {
			t.Errorf("%+v accepted", l)
		}
	}
	if batch.FullLinger.String() != "linger" || batch.NotFull.String() != "not full" {
		t.Fatal("reason names")
	}
}
