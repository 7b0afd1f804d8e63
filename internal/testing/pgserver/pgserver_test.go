package pgserver

import "testing"

func TestStart(t *testing.T) {
	s := Start(t)
	s.Exec(t, `CREATE TABLE t (n int); INSERT INTO t VALUES (1)`)
	st, _ := s.Statements(t)
	if len(st) == 0 {
		t.Fatal("pg_stat_statements counted nothing")
	}
}
