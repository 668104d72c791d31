package dyncreds

// #include "dyncreds.h"
import "C"

// TidyOptions for Tidy.
type TidyOptions struct {
	PathPrefix    string // IAM users under this path are examined (default "/")
	DeleteOrphans bool   // delete the orphans found, not just report them
}

// TidyReport is what Tidy found and did.
type TidyReport struct {
	RolledBack []string `json:"rolled_back"` // lease ids of dead issuances undone
	Settling   []string `json:"settling"`    // dead issuances whose CreateUser may still land: looked at again later
	Orphans    []string `json:"orphans"`     // IAM users of this mount no lease accounts for
	Deleted    []string `json:"deleted"`
	Failed     []struct {
		Name  string `json:"name"`
		Error string `json:"error"`
	} `json:"failed"`
	Irrevocable []Lease `json:"irrevocable"`
}

// Tidy rolls back dead issuances, reports (and with DeleteOrphans deletes)
// IAM users of this mount that nothing accounts for, and lists
// irrevocable leases.
func (e *Engine) Tidy(o TidyOptions) (*TidyReport, error) {
	options := map[string]any{"delete_orphans": o.DeleteOrphans}
	if o.PathPrefix != "" {
		options["path_prefix"] = o.PathPrefix
	}
	var report TidyReport
	err := withJSON(options, func(text *C.char) error {
		return e.callJSON(&report, func(out **C.char, h *C.dyncreds_engine, cerr **C.dyncreds_error) C.dyncreds_status {
			return C.dyncreds_tidy(out, h, text, cerr)
		})
	})
	if err != nil {
		return nil, err
	}
	return &report, nil
}

// Tick revokes what is due now, for engines opened with ManualTick;
// returns how many leases were handled.
func (e *Engine) Tick() (int, error) {
	var count C.size_t
	err := e.call(func(h *C.dyncreds_engine, cerr **C.dyncreds_error) C.dyncreds_status {
		return C.dyncreds_tick(&count, h, cerr)
	})
	return int(count), err
}
