package dyncreds

// #include <stdlib.h>
// #include "dyncreds.h"
import "C"

import (
	"runtime"
	"unsafe"
)

// AuditHmac returns "hmac-sha256:<hex>" of value under the store's audit
// salt, as audit events carry secrets: for matching a leaked key.
func (e *Engine) AuditHmac(value string) (string, error) {
	var hmac string
	err := withStrings(func(c []*C.char) error {
		var err error
		hmac, err = e.callString(func(out **C.char, h *C.dyncreds_engine, cerr **C.dyncreds_error) C.dyncreds_status {
			return C.dyncreds_audit_hmac(out, h, c[0], cerr)
		})
		return err
	}, value)
	return hmac, err
}

// Metrics returns the engine's metrics in Prometheus' text exposition format.
func (e *Engine) Metrics() (string, error) {
	return e.callString(func(out **C.char, h *C.dyncreds_engine, cerr **C.dyncreds_error) C.dyncreds_status {
		return C.dyncreds_metrics_prometheus(out, h, cerr)
	})
}

// AuditReopen opens Options.AuditFile again, after log rotation renamed it.
func (e *Engine) AuditReopen() error {
	return e.call(func(h *C.dyncreds_engine, cerr **C.dyncreds_error) C.dyncreds_status {
		return C.dyncreds_audit_reopen(h, cerr)
	})
}

// WithCaller runs fn with caller (free text, or a JSON object) named in the
// audit events of the engine calls fn makes on this goroutine. The library
// keeps the caller per OS thread, so the goroutine stays on its thread
// meanwhile.
func WithCaller(caller string, fn func() error) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	c := C.CString(caller)
	defer C.free(unsafe.Pointer(c))
	C.dyncreds_set_caller(c)
	defer C.dyncreds_set_caller(nil)
	return fn()
}
