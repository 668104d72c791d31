package dyncreds_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	dyncreds "github.com/libdyncreds/libdyncreds/capi/go"
)

const readOnly = "arn:aws:iam::aws:policy/ReadOnlyAccess"

type endpoint struct {
	URL       string `json:"endpoint"`
	IAMURL    string `json:"iam_endpoint"`
	STSURL    string `json:"sts_endpoint"`
	AccessKey string `json:"access_key_id"`
	SecretKey string `json:"secret_access_key"`
}

// localAWS reads the running local endpoint's endpoint.json (ctest sets
// DYNCREDS_LOCAL_AWS).
func localAWS(t *testing.T) endpoint {
	t.Helper()
	path := os.Getenv("DYNCREDS_LOCAL_AWS")
	if path == "" {
		t.Fatal("DYNCREDS_LOCAL_AWS must name the local endpoint's endpoint.json (run through ctest)")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ep endpoint
	if err := json.Unmarshal(data, &ep); err != nil {
		t.Fatal(err)
	}
	return ep
}

// recorder collects log lines and audit events, from any thread.
type recorder struct {
	mu     sync.Mutex
	events []map[string]any
	lines  []string
	fail   bool
}

func (r *recorder) audit(event map[string]any) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, event)
	if r.fail {
		return errors.New("audit sink unavailable")
	}
	return nil
}

func (r *recorder) log(level dyncreds.LogLevel, line string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = append(r.lines, level.String()+": "+line)
}

func (r *recorder) operations() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ops []string
	for _, e := range r.events {
		ops = append(ops, e["operation"].(string))
	}
	return ops
}

// openEngine opens an engine configured for the local endpoint.
func openEngine(t *testing.T, ep endpoint, rec *recorder, o dyncreds.Options) *dyncreds.Engine {
	t.Helper()
	if rec != nil {
		o.Audit, o.Log, o.LogLevel = rec.audit, rec.log, dyncreds.LogInfo
	}
	e, err := dyncreds.Open(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	err = e.WriteRootConfig(map[string]any{"access_key": ep.AccessKey, "secret_key": ep.SecretKey,
		"region": "us-east-1", "iam_endpoint": ep.IAMURL, "sts_endpoint": ep.STSURL})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// callerIdentity calls STS GetCallerIdentity with the credentials, signed
// by the library's signer and sent with net/http; returns the ARN, or
// AWS's error code.
func callerIdentity(t *testing.T, ep endpoint, c *dyncreds.Credentials) (arn string, awsError string) {
	t.Helper()
	body := "Action=GetCallerIdentity&Version=2011-06-15"
	headers, err := dyncreds.Sign(dyncreds.SignRequest{Method: "POST", URL: ep.STSURL + "/", Body: body,
		Headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
		Region:  "us-east-1", Service: "sts", AccessKey: c.AccessKey, SecretKey: c.SecretKey,
		SessionToken: c.SessionToken})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", ep.STSURL+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	for name, value := range headers {
		req.Header.Set(name, value)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(resp.Body)
	between := func(open, close string) string {
		s := string(reply)
		i := strings.Index(s, open)
		if i < 0 {
			return ""
		}
		s = s[i+len(open):]
		return s[:strings.Index(s, close)]
	}
	if resp.StatusCode != 200 {
		return "", between("<Code>", "</Code>")
	}
	return between("<Arn>", "</Arn>"), ""
}

func TestIAMUserLifecycle(t *testing.T) {
	ep := localAWS(t)
	rec := &recorder{}
	e := openEngine(t, ep, rec, dyncreds.Options{ManualTick: true})
	if err := e.WriteLeaseConfig("1h", "2h"); err != nil {
		t.Fatal(err)
	}
	if err := e.WriteRole("reader", map[string]any{"credential_type": "iam_user", "policy_arns": []string{readOnly}}); err != nil {
		t.Fatal(err)
	}
	c, err := e.Issue("reader", dyncreds.IssueOptions{TTL: 30 * time.Minute, WaitUntilUsable: true})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(c.LeaseID, "aws/creds/reader/") || c.LeaseDuration != 1800 || !c.Renewable {
		t.Fatalf("unexpected credentials %v", c)
	}
	if strings.Contains(fmt.Sprint(c), c.SecretKey) {
		t.Fatal("printing credentials shows the secret key")
	}
	if arn, code := callerIdentity(t, ep, c); arn != c.ARN {
		t.Fatalf("GetCallerIdentity: arn %q, error %q; want %q", arn, code, c.ARN)
	}
	lease, err := e.Lookup(c.LeaseID)
	if err != nil || lease.Role != "reader" || lease.AccessKeyID != c.AccessKey || lease.State != "active" {
		t.Fatalf("lookup: %+v, %v", lease, err)
	}
	renewed, err := e.Renew(c.LeaseID, time.Hour)
	if err != nil || !renewed.ExpiresAt.After(lease.ExpiresAt) || renewed.ExpiresAt.After(lease.MaxExpiresAt) {
		t.Fatalf("renew: %+v, %v", renewed, err)
	}
	if err := e.Revoke(c.LeaseID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Lookup(c.LeaseID); !errors.Is(err, dyncreds.ErrNotFound) {
		t.Fatalf("lookup after revoke: %v", err)
	}
	// IAM is eventually consistent: the deleted key dies within seconds.
	code := ""
	for deadline := time.Now().Add(30 * time.Second); code == "" && time.Now().Before(deadline); {
		if _, code = callerIdentity(t, ep, c); code == "" {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if code != "InvalidClientTokenId" {
		t.Fatalf("the revoked key: error %q, want InvalidClientTokenId", code)
	}
	want := "config.write config.write role.write creds.issue lease.renew lease.revoke"
	if got := strings.Join(rec.operations(), " "); got != want {
		t.Fatalf("audit events %q, want %q", got, want)
	}
	everything, _ := json.Marshal(rec)
	all := fmt.Sprint(rec.events, rec.lines, string(everything))
	if strings.Contains(all, c.SecretKey) || strings.Contains(all, ep.SecretKey) {
		t.Fatal("a secret reached the audit events or the log")
	}
}

func TestSTSCredentialsAndManualTick(t *testing.T) {
	ep := localAWS(t)
	e := openEngine(t, ep, nil, dyncreds.Options{ManualTick: true})
	if err := e.WriteRole("fed", map[string]any{"credential_type": "federation_token", "policy_arns": []string{readOnly}}); err != nil {
		t.Fatal(err)
	}
	c, err := e.Issue("fed", dyncreds.IssueOptions{TTL: 15 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if c.SessionToken == "" || c.Renewable || c.LeaseDuration != 900 || c.Expiration.IsZero() {
		t.Fatalf("unexpected STS credentials %v (expiration %v)", c, c.Expiration)
	}
	if arn, code := callerIdentity(t, ep, c); !strings.Contains(arn, ":federated-user/") {
		t.Fatalf("GetCallerIdentity: arn %q, error %q", arn, code)
	}
	var failure *dyncreds.Error
	if _, err := e.Renew(c.LeaseID, 0); !errors.As(err, &failure) || failure.Code != dyncreds.InvalidArgument || failure.Field != "lease_id" {
		t.Fatalf("renewing STS: %v", err)
	}
	if n, err := e.Tick(); err != nil || n != 0 {
		t.Fatalf("tick: %d, %v", n, err)
	}
	if n, err := e.RevokePrefix("aws/creds/fed/"); err != nil || n != 1 {
		t.Fatalf("revoke prefix: %d, %v", n, err)
	}
	report, err := e.Tidy(dyncreds.TidyOptions{})
	if err != nil || len(report.RolledBack)+len(report.Deleted)+len(report.Irrevocable) != 0 {
		t.Fatalf("tidy: %+v, %v", report, err)
	}
}

func TestErrors(t *testing.T) {
	ep := localAWS(t)
	e := openEngine(t, ep, nil, dyncreds.Options{ManualTick: true, Mount: "goerrors"})
	var failure *dyncreds.Error

	err := e.WriteRole("bad", map[string]any{"credential_type": "iam_user", "policy_arns": 7})
	if !errors.As(err, &failure) || failure.Code != dyncreds.InvalidArgument || failure.Field != "policy_arns" {
		t.Fatalf("bad role: %v", err)
	}
	if roles, _ := e.ListRoles(); len(roles) != 0 {
		t.Fatalf("a refused role was kept: %v", roles)
	}
	if _, err := e.Issue("missing", dyncreds.IssueOptions{}); !errors.Is(err, dyncreds.ErrNotFound) {
		t.Fatalf("unknown role: %v", err)
	}
	if err := e.Revoke("goerrors/creds/missing/1"); !errors.Is(err, dyncreds.ErrNotFound) {
		t.Fatalf("unknown lease: %v", err)
	}
	if _, err := dyncreds.Open(dyncreds.Options{Mount: "a/b"}); !errors.As(err, &failure) || failure.Field != "mount" {
		t.Fatalf("bad mount: %v", err)
	}
	if err := e.WriteRootConfig(map[string]any{"region": func() {}}); !errors.Is(err, dyncreds.ErrInvalidArgument) {
		t.Fatalf("unencodable JSON: %v", err)
	}

	err = e.WriteRole("assumer", map[string]any{"credential_type": "assumed_role",
		"role_arns": []string{"arn:aws:iam::123456789012:role/does-not-exist"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.Issue("assumer", dyncreds.IssueOptions{})
	if !errors.As(err, &failure) || failure.Code != dyncreds.PermissionDenied || failure.AWSCode != "AccessDenied" ||
		failure.RequestID == "" || failure.HTTPStatus != 403 {
		t.Fatalf("AWS refusal: %+v", err)
	}
	if failure.Code.String() != "permission_denied" {
		t.Fatalf("code name %q", failure.Code.String())
	}

	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := e.ListRoles(); !errors.Is(err, dyncreds.ErrUnavailable) {
		t.Fatalf("closed engine: %v", err)
	}
}

func TestAuditFailureStopsTheChange(t *testing.T) {
	ep := localAWS(t)
	rec := &recorder{}
	e := openEngine(t, ep, rec, dyncreds.Options{ManualTick: true})
	rec.mu.Lock()
	rec.fail = true
	rec.mu.Unlock()
	err := e.WriteRole("r", map[string]any{"credential_type": "federation_token", "policy_arns": []string{readOnly}})
	if !errors.Is(err, dyncreds.ErrUnavailable) {
		t.Fatalf("a change the audit log could not record: %v", err)
	}
	if roles, _ := e.ListRoles(); len(roles) != 0 {
		t.Fatalf("the refused role was kept: %v", roles)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	found := false
	for _, line := range rec.lines {
		found = found || strings.HasPrefix(line, "error: audit event role.write aws/roles/r was not recorded")
	}
	if !found {
		t.Fatalf("no error line for the failed audit event: %q", rec.lines)
	}
}

func TestAuditFileHmacAndCaller(t *testing.T) {
	ep := localAWS(t)
	rec := &recorder{}
	path := filepath.Join(t.TempDir(), "audit.log")
	e := openEngine(t, ep, rec, dyncreds.Options{ManualTick: true, AuditFile: path})
	if err := e.WriteRole("fed", map[string]any{"credential_type": "federation_token", "policy_arns": []string{readOnly}}); err != nil {
		t.Fatal(err)
	}
	var c *dyncreds.Credentials
	err := dyncreds.WithCaller(`{"user":"gopher"}`, func() error {
		var err error
		c, err = e.Issue("fed", dyncreds.IssueOptions{})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	hmac, err := e.AuditHmac(c.SecretKey)
	if err != nil || !strings.HasPrefix(hmac, "hmac-sha256:") {
		t.Fatalf("hmac %q, %v", hmac, err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	if strings.Contains(text, c.SecretKey) || strings.Contains(text, c.SessionToken) || !strings.Contains(text, hmac) ||
		!strings.Contains(text, `"caller":{"user":"gopher"}`) {
		t.Fatalf("audit file:\n%s", text)
	}
	if err := e.AuditReopen(); err != nil {
		t.Fatal(err)
	}
	metrics, err := e.Metrics()
	if err != nil || !strings.Contains(metrics, `dyncreds_aws_calls_total{mount="aws",action="sts:GetFederationToken"} 1`) {
		t.Fatalf("metrics %q, %v", metrics, err)
	}
}

func TestDurableStore(t *testing.T) {
	ep := localAWS(t)
	path := filepath.Join(t.TempDir(), "leases.db")
	key := "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	e := openEngine(t, ep, nil, dyncreds.Options{Store: path, StoreKey: key, ManualTick: true})
	if err := e.WriteRole("fed", map[string]any{"credential_type": "federation_token", "policy_arns": []string{readOnly}}); err != nil {
		t.Fatal(err)
	}
	c, err := e.Issue("fed", dyncreds.IssueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e.Close()
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("store file mode %v, %v", info.Mode(), err)
	}
	reopened, err := dyncreds.Open(dyncreds.Options{Store: path, StoreKey: key, ManualTick: true})
	if err != nil {
		t.Fatal(err)
	}
	defer reopened.Close()
	if lease, err := reopened.Lookup(c.LeaseID); err != nil || lease.Role != "fed" {
		t.Fatalf("after reopening: %+v, %v", lease, err)
	}
	if _, err := dyncreds.Open(dyncreds.Options{Store: path, StoreKey: "HyAdHBsaGRgXFhUUExIREA8ODQwLCgkIBwYFBAMCAQA="}); !errors.Is(err, dyncreds.ErrEncryptionKey) {
		t.Fatalf("wrong key: %v", err)
	}
}

func TestConcurrentGoroutines(t *testing.T) {
	ep := localAWS(t)
	rec := &recorder{}
	e := openEngine(t, ep, rec, dyncreds.Options{Mount: "goconc", PollInterval: 50 * time.Millisecond})
	for _, role := range []string{"fed", "user"} {
		kind := map[string]string{"fed": "federation_token", "user": "iam_user"}[role]
		if err := e.WriteRole(role, map[string]any{"credential_type": kind, "policy_arns": []string{readOnly}}); err != nil {
			t.Fatal(err)
		}
	}
	const goroutines, each = 8, 6
	var wg sync.WaitGroup
	ids := make(chan string, goroutines*each)
	errs := make(chan error, goroutines*each)
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				role := []string{"fed", "user"}[(g+i)%2]
				c, err := e.Issue(role, dyncreds.IssueOptions{})
				if err != nil {
					errs <- err
					continue
				}
				ids <- c.LeaseID
				if role == "user" && i%3 == 0 { // some revoked at once, from many goroutines
					if err := e.Revoke(c.LeaseID); err != nil {
						errs <- err
					}
				}
			}
		}(g)
	}
	wg.Wait()
	close(ids)
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	seen := map[string]bool{}
	for id := range ids {
		seen[id] = true
	}
	if len(seen) != goroutines*each {
		t.Fatalf("%d distinct lease ids, want %d", len(seen), goroutines*each)
	}
	n, err := e.RevokePrefix("goconc/")
	leases, _ := e.ListLeases("goconc/")
	if err != nil || len(leases) != 0 || n == 0 {
		t.Fatalf("revoke prefix: %d, %v, %d left", n, err, len(leases))
	}
	if issued := strings.Count(strings.Join(rec.operations(), " "), "creds.issue"); issued != goroutines*each {
		t.Fatalf("%d issue events, want %d", issued, goroutines*each)
	}
}

func TestSignMatchesTheSigV4Suite(t *testing.T) {
	headers, err := dyncreds.Sign(dyncreds.SignRequest{Method: "GET", URL: "https://example.amazonaws.com/",
		Headers: map[string]string{"Host": "example.amazonaws.com"}, Region: "us-east-1", Service: "service",
		AccessKey: "AKIDEXAMPLE", SecretKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", Time: "2015-08-30T12:36:00Z"})
	if err != nil {
		t.Fatal(err)
	}
	// The expected value comes from AWS's suite (../shared/sigv4-test-suite).
	signed, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "sigv4-test-suite", "get-vanilla",
		"header-signed-request.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want := strings.TrimPrefix(regexp.MustCompile(`(?m)^Authorization:.*$`).FindString(string(signed)), "Authorization:")
	if want == "" || headers["Authorization"] != want {
		t.Fatalf("Authorization %q, want %q", headers["Authorization"], want)
	}
	var failure *dyncreds.Error
	if _, err := dyncreds.Sign(dyncreds.SignRequest{URL: "https://x/", Service: "s", AccessKey: "a", SecretKey: "s"}); !errors.As(err, &failure) || failure.Field != "region" {
		t.Fatalf("missing region: %v", err)
	}
	if !strings.Contains(dyncreds.Version(), ".") {
		t.Fatalf("version %q", dyncreds.Version())
	}
}

func TestServerOnASocketAndThroughHandle(t *testing.T) {
	server, err := dyncreds.StartServer(dyncreds.ServerOptions{ListenAddress: "127.0.0.1:0", RootTokenID: "go-root",
		DefaultMounts: []string{"aws"}})
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	if server.RootToken != "go-root" || server.Port() == 0 {
		t.Fatalf("root token %q, port %d", server.RootToken, server.Port())
	}
	reply, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/v1/sys/health", server.Port()))
	if err != nil {
		t.Fatal(err)
	}
	reply.Body.Close()
	if reply.StatusCode != 200 {
		t.Fatalf("sys/health: %d", reply.StatusCode)
	}
	for token, want := range map[string]int{"go-root": 404, "wrong": 403} { // no roles yet: Vault's empty 404
		got, err := server.Handle("LIST", "/v1/aws/roles", "", map[string]string{"X-Vault-Token": token}, "", "192.0.2.1")
		if err != nil || got.Status != want {
			t.Fatalf("LIST aws/roles with %q: %+v %v, want %d", token, got, err, want)
		}
	}
	server.Close()
	if _, err := server.Handle("GET", "/v1/sys/health", "", nil, "", ""); !errors.Is(err, dyncreds.ErrUnavailable) {
		t.Fatalf("after Close: %v", err)
	}
	if _, err := dyncreds.StartServer(dyncreds.ServerOptions{More: map[string]any{"threads": 0}}); !errors.Is(err, dyncreds.ErrInvalidArgument) {
		t.Fatalf("threads 0: %v", err)
	}
}
