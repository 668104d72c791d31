package dyncreds

/*
#include <stdint.h>
#include <stdlib.h>
#include "dyncreds.h"
void dyncredsGoLogTrampoline(void* ctx, dyncreds_log_level level, const char* message);
int dyncredsGoAuditTrampoline(void* ctx, const char* event_json);
*/
import "C"

import (
	"encoding/json"
	"runtime/cgo"
	"unsafe"
)

// LogLevel orders log lines.
type LogLevel int

const (
	LogDebug LogLevel = iota
	LogInfo
	LogWarning
	LogError
)

func (l LogLevel) String() string {
	return [...]string{"debug", "info", "warning", "error"}[l]
}

// The functions a host gave Open, reachable from C through a cgo.Handle
// stored in C memory (C keeps no Go pointer).
type hostFunctions struct {
	log   func(LogLevel, string)
	audit func(map[string]any) error
}

// callbackSet is the C side of an engine's callbacks; freed after Close.
type callbackSet struct {
	handle cgo.Handle
	ctx    *C.uintptr_t
	c      C.dyncreds_callbacks
}

func newCallbackSet(o *Options) *callbackSet {
	if o.Log == nil && o.Audit == nil {
		return nil
	}
	s := &callbackSet{handle: cgo.NewHandle(&hostFunctions{log: o.Log, audit: o.Audit})}
	s.ctx = (*C.uintptr_t)(C.malloc(C.size_t(unsafe.Sizeof(C.uintptr_t(0)))))
	*s.ctx = C.uintptr_t(s.handle)
	s.c.version = C.DYNCREDS_CALLBACKS_VERSION
	if o.Log != nil {
		s.c.log = C.dyncreds_log_fn(C.dyncredsGoLogTrampoline)
		s.c.log_ctx = unsafe.Pointer(s.ctx)
		s.c.log_level = C.dyncreds_log_level(o.LogLevel)
	}
	if o.Audit != nil {
		s.c.audit = C.dyncreds_audit_fn(C.dyncredsGoAuditTrampoline)
		s.c.audit_ctx = unsafe.Pointer(s.ctx)
	}
	return s
}

func (s *callbackSet) free() {
	if s == nil {
		return
	}
	C.free(unsafe.Pointer(s.ctx))
	s.handle.Delete()
}

//export goDyncredsLog
func goDyncredsLog(handle C.uintptr_t, level C.int, message *C.char) {
	defer func() { _ = recover() }() // a panic must not unwind through C
	f := cgo.Handle(handle).Value().(*hostFunctions)
	f.log(LogLevel(level), C.GoString(message))
}

//export goDyncredsAudit
func goDyncredsAudit(handle C.uintptr_t, eventJSON *C.char) (result C.int) {
	defer func() {
		if recover() != nil { // a panic must not unwind through C
			result = 1
		}
	}()
	f := cgo.Handle(handle).Value().(*hostFunctions)
	var event map[string]any
	if err := json.Unmarshal([]byte(C.GoString(eventJSON)), &event); err != nil {
		return 1
	}
	if err := f.audit(event); err != nil {
		return 1 // the engine logs the event as unrecorded
	}
	return 0
}
