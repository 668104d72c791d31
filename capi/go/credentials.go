package dyncreds

// #include "dyncreds.h"
import "C"

import (
	"fmt"
	"time"
)

// IssueOptions for Issue; zero values take the role's defaults.
type IssueOptions struct {
	TTL             time.Duration
	RoleARN         string // assumed_role: which of role_arns
	RoleSessionName string
	MFACode         string
	DisplayName     string
	WaitUntilUsable bool          // iam_user: return once the new key works
	UsableTimeout   time.Duration // default 60s
}

// Credentials is an issued credential and its lease. Go cannot wipe its
// strings: keep SecretKey and SessionToken no longer than needed.
type Credentials struct {
	LeaseID       string    `json:"lease_id"`
	LeaseDuration int64     `json:"lease_duration"` // seconds
	Renewable     bool      `json:"renewable"`
	AccessKey     string    `json:"access_key"`
	SecretKey     string    `json:"secret_key"`
	SessionToken  string    `json:"session_token"` // STS types
	Expiration    time.Time `json:"-"`             // STS types
	ARN           string    `json:"arn"`
	UserName      string    `json:"user_name"` // iam_user
}

// String leaves the secret key and session token out, so that printing
// credentials never logs them.
func (c Credentials) String() string {
	return fmt.Sprintf("{lease %s, key %s, %s, %ds}", c.LeaseID, c.AccessKey, c.ARN, c.LeaseDuration)
}

// Issue issues credentials for a role.
func (e *Engine) Issue(role string, o IssueOptions) (*Credentials, error) {
	options := map[string]any{}
	if o.TTL > 0 {
		options["ttl"] = int64(o.TTL / time.Second)
	}
	for key, value := range map[string]string{"role_arn": o.RoleARN, "role_session_name": o.RoleSessionName,
		"mfa_code": o.MFACode, "display_name": o.DisplayName} {
		if value != "" {
			options[key] = value
		}
	}
	if o.WaitUntilUsable {
		options["wait_until_usable"] = true
	}
	if o.UsableTimeout > 0 {
		options["usable_timeout"] = int64(o.UsableTimeout / time.Second)
	}
	var reply struct {
		Credentials
		Expiration string `json:"expiration"`
	}
	err := withJSON(options, func(text *C.char) error {
		return withStrings(func(c []*C.char) error {
			return e.callJSON(&reply, func(out **C.char, h *C.dyncreds_engine, cerr **C.dyncreds_error) C.dyncreds_status {
				return C.dyncreds_creds_issue(out, h, c[0], text, cerr)
			})
		}, role)
	})
	if err != nil {
		return nil, err
	}
	creds := reply.Credentials
	if reply.Expiration != "" {
		if creds.Expiration, err = time.Parse(time.RFC3339, reply.Expiration); err != nil {
			return nil, &Error{Code: MalformedResponse, Message: "malformed_response: expiration: " + err.Error()}
		}
	}
	return &creds, nil
}
