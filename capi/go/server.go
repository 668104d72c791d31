package dyncreds

/*
#include <stdlib.h>
#include <string.h>
#include "dyncreds.h"
*/
import "C"

import (
	"encoding/json"
	"sync"
	"unsafe"
)

// ServerOptions for StartServer: where the store is, and where to listen.
// The options of dyncreds_server_start (capi/dyncreds.h) not named here go
// in More ("threads", "max_body_bytes", "idle_timeout", ...).
type ServerOptions struct {
	Store         string   // SQLite file; "" or ":memory:" keeps nothing
	StoreKey      string   // base64 of the 32-byte store key, or
	StoreKeyFile  string   // a file holding it
	ListenAddress string   // "127.0.0.1:0" picks a free port; "" serves no socket (use Handle)
	TLSCertFile   string   // PEM; with TLSKeyFile: HTTPS only
	TLSKeyFile    string
	RootTokenID   string   // the root token to make instead of a random one
	DefaultMounts []string // mounts to enable if absent, e.g. {"aws"}
	AuditFile     string
	More          map[string]any
}

// Server is Vault's HTTP API for the AWS engine, in this process. Its
// methods may be called from many goroutines at once, Close included.
type Server struct {
	mu        sync.RWMutex // read for calls, write for Close
	handle    *C.dyncreds_server
	RootToken string // made on the store's first start; "" otherwise
}

// ServerReply is what Handle answers.
type ServerReply struct {
	Status      int    `json:"status"`
	ContentType string `json:"content_type"`
	Body        string `json:"body"`
}

// StartServer starts the server.
func StartServer(o ServerOptions) (*Server, error) {
	options := map[string]any{"listen_address": o.ListenAddress}
	for key, value := range map[string]string{"store": o.Store, "store_key": o.StoreKey,
		"store_key_file": o.StoreKeyFile, "tls_cert_file": o.TLSCertFile, "tls_key_file": o.TLSKeyFile,
		"root_token_id": o.RootTokenID, "audit_file": o.AuditFile} {
		if value != "" {
			options[key] = value
		}
	}
	if len(o.DefaultMounts) > 0 {
		options["default_mounts"] = o.DefaultMounts
	}
	for key, value := range o.More {
		options[key] = value
	}
	s := &Server{}
	err := withJSON(options, func(text *C.char) error {
		var token *C.char
		var cerr *C.dyncreds_error
		err := errorFrom(C.dyncreds_server_start(&s.handle, text, nil, &token, &cerr), cerr)
		if token != nil {
			s.RootToken = C.GoString(token)
			C.dyncreds_free(token)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Port is the port it listens on (0 without a socket).
func (s *Server) Port() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.handle == nil {
		return 0
	}
	return int(C.dyncreds_server_port(s.handle))
}

// Handle answers one request from the host's own HTTP stack.
func (s *Server) Handle(method, path, query string, headers map[string]string, body, clientAddress string) (*ServerReply, error) {
	request := map[string]any{"method": method, "path": path, "query": query, "headers": headers, "body": body,
		"client_address": clientAddress}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.handle == nil {
		return nil, &Error{Code: Unavailable, Message: "the server is closed"}
	}
	var reply ServerReply
	err := withJSON(request, func(text *C.char) error {
		var out *C.char
		var cerr *C.dyncreds_error
		if err := errorFrom(C.dyncreds_server_handle(s.handle, text, &out, &cerr), cerr); err != nil {
			return err
		}
		defer C.dyncreds_free(out)
		return json.Unmarshal(C.GoBytes(unsafe.Pointer(out), C.int(C.strlen(out))), &reply)
	})
	if err != nil {
		return nil, err
	}
	return &reply, nil
}

// Close finishes the requests in flight and stops. Idempotent.
func (s *Server) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.handle != nil {
		C.dyncreds_server_free(s.handle)
		s.handle = nil
	}
}
