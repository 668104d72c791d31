// Package dyncreds embeds libdyncreds through its C ABI: short-lived AWS
// credentials (Vault's AWS secrets engine, as a library) for Go programs.
//
//	engine, err := dyncreds.Open(dyncreds.Options{Store: "leases.db", StoreKeyFile: "store.key"})
//	defer engine.Close()
//	engine.WriteRootConfig(map[string]any{"access_key": "AKIA...", "secret_key": "...", "region": "us-east-1"})
//	engine.WriteRole("readonly", map[string]any{"credential_type": "iam_user",
//		"policy_arns": []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}})
//	creds, err := engine.Issue("readonly", dyncreds.IssueOptions{TTL: 15 * time.Minute})
//
// cgo finds the library through pkg-config (dyncreds.pc, installed with it):
// set PKG_CONFIG_PATH=<prefix>/lib/pkgconfig if the prefix is not a default
// one; a build tree's <build>/pkgconfig works too. From a checkout, before
// the module is published, point go.mod at it:
//
//	require github.com/libdyncreds/libdyncreds/capi/go v0.0.0
//	replace github.com/libdyncreds/libdyncreds/capi/go => /path/to/libdyncreds/capi/go
//
// An *Engine may be used from many goroutines at once, Close included.
package dyncreds

/*
#cgo pkg-config: dyncreds
#include <stdlib.h>
#include <string.h>
#include "dyncreds.h"

// Wipes a C copy of a Go string before freeing it: it may hold a secret.
static void dyncreds_go_wipe_free(char* s) {
  if (s == NULL) return;
  volatile char* p = s;
  while (*p) *p++ = 0;
  free(s);
}
*/
import "C"

import (
	"encoding/json"
	"sync"
	"time"
)

// Options for Open. The zero value is an in-memory engine on mount "aws"
// with its own revocation worker.
type Options struct {
	Mount        string        // default "aws"
	Store        string        // SQLite file; "" or ":memory:" keeps nothing
	StoreKey     string        // base64 of the 32-byte store key, or
	StoreKeyFile string        // a file holding it (default: DYNCREDS_STORE_KEY_FILE / DYNCREDS_STORE_KEY)
	ManualTick   bool          // true: no worker thread; the host calls Tick
	PollInterval time.Duration // how often the worker looks for due leases (default 1s)
	CABundle     string        // CA certificates for TLS to AWS
	// Log receives log lines at LogLevel and above; Audit receives each
	// audit event (an error return is logged as an unrecorded event). Both
	// run on any goroutine or engine thread, possibly at once.
	Log      func(level LogLevel, message string)
	LogLevel LogLevel
	Audit    func(event map[string]any) error
	// AuditFile appends every audit event to a JSON-lines file (0600);
	// AuditNoFsync leaves syncing it to the kernel. Unless AuditFailOpen,
	// an event that cannot be recorded stops what it records
	// (ErrUnavailable), revocations excepted.
	AuditFile     string
	AuditNoFsync  bool
	AuditFailOpen bool
}

// Engine is one mount of the AWS secrets engine.
type Engine struct {
	mu        sync.RWMutex // read for calls, write for Close
	handle    *C.dyncreds_engine
	callbacks *callbackSet
}

// Open opens an engine.
func Open(o Options) (*Engine, error) {
	options := map[string]any{"worker": !o.ManualTick}
	for key, value := range map[string]string{"mount": o.Mount, "store": o.Store, "store_key": o.StoreKey,
		"store_key_file": o.StoreKeyFile, "ca_bundle": o.CABundle} {
		if value != "" {
			options[key] = value
		}
	}
	if o.AuditFile != "" {
		options["audit_file"] = o.AuditFile
	}
	if o.AuditNoFsync {
		options["audit_fsync"] = "never"
	}
	if o.AuditFailOpen {
		options["audit_fail_open"] = true
	}
	if o.PollInterval > 0 {
		options["poll_interval_ms"] = o.PollInterval.Milliseconds()
	}
	callbacks := newCallbackSet(&o)
	var c *C.dyncreds_callbacks
	if callbacks != nil {
		c = &callbacks.c // copied by dyncreds_engine_open_with
	}
	e := &Engine{callbacks: callbacks}
	err := withJSON(options, func(text *C.char) error {
		var cerr *C.dyncreds_error
		return errorFrom(C.dyncreds_engine_open_with(&e.handle, text, c, &cerr), cerr)
	})
	if err != nil {
		callbacks.free()
		return nil, err
	}
	return e, nil
}

// Close stops the worker, closes the store and frees the engine. Calls
// after it (or during it, from other goroutines) fail with ErrUnavailable.
func (e *Engine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.handle == nil {
		return nil
	}
	var cerr *C.dyncreds_error
	err := errorFrom(C.dyncreds_engine_close(e.handle, &cerr), cerr)
	C.dyncreds_engine_free(e.handle)
	e.handle = nil
	e.callbacks.free() // no callback can run once the engine is closed
	e.callbacks = nil
	return err
}

// call runs fn on the open engine's handle.
func (e *Engine) call(fn func(h *C.dyncreds_engine, cerr **C.dyncreds_error) C.dyncreds_status) error {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.handle == nil {
		return closedError()
	}
	var cerr *C.dyncreds_error
	return errorFrom(fn(e.handle, &cerr), cerr)
}

// callString is call for functions with a char** out; returns the string
// after wiping and freeing the library's copy.
func (e *Engine) callString(fn func(out **C.char, h *C.dyncreds_engine, cerr **C.dyncreds_error) C.dyncreds_status) (string, error) {
	var out *C.char
	err := e.call(func(h *C.dyncreds_engine, cerr **C.dyncreds_error) C.dyncreds_status { return fn(&out, h, cerr) })
	if err != nil {
		return "", err
	}
	defer C.dyncreds_free(out)
	return C.GoString(out), nil
}

// callJSON is callString, decoding the JSON into v.
func (e *Engine) callJSON(v any, fn func(out **C.char, h *C.dyncreds_engine, cerr **C.dyncreds_error) C.dyncreds_status) error {
	text, err := e.callString(fn)
	if err != nil {
		return err
	}
	return json.Unmarshal([]byte(text), v)
}

// wipeFree wipes and frees a C copy of a Go string (it may hold a secret).
func wipeFree(s *C.char) { C.dyncreds_go_wipe_free(s) }

// withJSON passes v, as JSON in C memory, to fn, and wipes it afterwards.
func withJSON(v any, fn func(*C.char) error) error {
	data, err := json.Marshal(v)
	if err != nil {
		return &Error{Code: InvalidArgument, Message: "invalid_argument: " + err.Error()}
	}
	text := C.CString(string(data))
	defer wipeFree(text)
	return fn(text)
}

// withStrings passes C copies of the strings to fn, freeing them afterwards.
func withStrings(fn func(c []*C.char) error, strings ...string) error {
	c := make([]*C.char, len(strings))
	for i, s := range strings {
		c[i] = C.CString(s)
	}
	defer func() {
		for _, p := range c {
			wipeFree(p)
		}
	}()
	return fn(c)
}
