package dyncreds

// #include "dyncreds.h"
import "C"

import "encoding/json"

// SignRequest describes any AWS request to sign with SigV4.
type SignRequest struct {
	Method       string            `json:"method,omitempty"` // default GET
	URL          string            `json:"url"`
	Headers      map[string]string `json:"headers,omitempty"`
	Body         string            `json:"body,omitempty"`
	PayloadHash  string            `json:"payload_hash,omitempty"` // instead of Body; "UNSIGNED-PAYLOAD" allowed
	Region       string            `json:"region"`
	Service      string            `json:"service"`
	AccessKey    string            `json:"access_key"`
	SecretKey    string            `json:"secret_key"`
	SessionToken string            `json:"session_token,omitempty"`
	Time         string            `json:"time,omitempty"` // RFC 3339; default now
}

// Sign returns the headers to add to the request: Authorization,
// X-Amz-Date, and X-Amz-Security-Token / X-Amz-Content-Sha256 when they apply.
func Sign(r SignRequest) (map[string]string, error) {
	if r.Method == "" {
		r.Method = "GET" // the C ABI refuses a request without a method
	}
	var reply struct {
		Headers map[string]string `json:"headers"`
	}
	err := withJSON(r, func(text *C.char) error {
		var out *C.char
		var cerr *C.dyncreds_error
		if err := errorFrom(C.dyncreds_sigv4_sign(&out, text, &cerr), cerr); err != nil {
			return err
		}
		defer C.dyncreds_free(out)
		return json.Unmarshal([]byte(C.GoString(out)), &reply)
	})
	return reply.Headers, err
}

// Version is the version of the loaded libdyncreds, "major.minor.patch".
func Version() string { return C.GoString(C.dyncreds_version()) }
