package dyncreds

/*
#include "dyncreds.h"
*/
import "C"

import "fmt"

// Code is a status code of the C ABI (dyncreds_status).
type Code int

const (
	OK                Code = 0
	InvalidArgument   Code = 1  // bad input; Error.Field names it
	NotFound          Code = 2  // unknown role, lease or AWS entity
	Conflict          Code = 3  // exists already, limit reached, rolled back
	PermissionDenied  Code = 4  // AWS refused: access denied, bad or expired keys
	Throttled         Code = 5  // AWS kept throttling after every retry
	AWSError          Code = 6  // any other error reply from AWS
	TransportError    Code = 7  // network: DNS, connect, TLS, reset
	Timeout           Code = 8  // a timeout expired
	MalformedResponse Code = 9  // a reply that could not be understood
	StoreError        Code = 10 // the lease store failed
	EncryptionKey     Code = 11 // missing or wrong store encryption key
	Unavailable       Code = 12 // closed engine, or no config/root yet
	Internal          Code = 13 // a bug in libdyncreds
	OutOfMemory       Code = 14
)

// String is the library's name for the code: "not_found", ...
func (c Code) String() string { return C.GoString(C.dyncreds_status_name(C.dyncreds_status(c))) }

// Error is what every failing call returns. Errors from AWS keep AWS's code,
// message, request id and HTTP status.
type Error struct {
	Code       Code
	Message    string
	Field      string // the input field at fault, for InvalidArgument
	AWSCode    string
	AWSMessage string
	RequestID  string
	HTTPStatus int
}

func (e *Error) Error() string { return e.Message }

// Is makes errors.Is(err, dyncreds.ErrNotFound) match any error of that code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Message == "" && t.Code == e.Code
}

// Sentinels for errors.Is.
var (
	ErrInvalidArgument  = &Error{Code: InvalidArgument}
	ErrNotFound         = &Error{Code: NotFound}
	ErrConflict         = &Error{Code: Conflict}
	ErrPermissionDenied = &Error{Code: PermissionDenied}
	ErrThrottled        = &Error{Code: Throttled}
	ErrAWS              = &Error{Code: AWSError}
	ErrTransport        = &Error{Code: TransportError}
	ErrTimeout          = &Error{Code: Timeout}
	ErrMalformed        = &Error{Code: MalformedResponse}
	ErrStore            = &Error{Code: StoreError}
	ErrEncryptionKey    = &Error{Code: EncryptionKey}
	ErrUnavailable      = &Error{Code: Unavailable}
	ErrInternal         = &Error{Code: Internal}
	ErrOutOfMemory      = &Error{Code: OutOfMemory}
)

// errorFrom turns a failed call's status and error object into an *Error,
// and frees the object.
func errorFrom(status C.dyncreds_status, cerr *C.dyncreds_error) error {
	if status == C.DYNCREDS_OK {
		return nil
	}
	defer C.dyncreds_error_free(cerr)
	if cerr == nil {
		return &Error{Code: Code(status), Message: Code(status).String()}
	}
	return &Error{
		Code:       Code(status),
		Message:    C.GoString(C.dyncreds_error_message(cerr)),
		Field:      C.GoString(C.dyncreds_error_field(cerr)),
		AWSCode:    C.GoString(C.dyncreds_error_aws_code(cerr)),
		AWSMessage: C.GoString(C.dyncreds_error_aws_message(cerr)),
		RequestID:  C.GoString(C.dyncreds_error_request_id(cerr)),
		HTTPStatus: int(C.dyncreds_error_http_status(cerr)),
	}
}

func closedError() error {
	return &Error{Code: Unavailable, Message: fmt.Sprintf("%s: the engine is closed", Unavailable)}
}
