// The C ABI (capi/dyncreds.h) over the C++ API. Every entry point runs in
// Guard(), so no exception crosses the boundary, and reports through
// Report(), which turns a Status into a status code and an error object.
#include "dyncreds.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <optional>
#include <shared_mutex>

#include "dyncreds/engine.h"
#include "dyncreds/host.h"
#include "dyncreds/json.h"
#include "dyncreds/server.h"
#include "dyncreds/sigv4_signer.h"
#include "dyncreds/store_key.h"
#include "dyncreds/sys/clock.h"
#include "dyncreds/ttl.h"
#include "util/json_read.h"
#include "util/secret_buffer.h"
#include "util/time_format.h"

struct dyncreds_error {
  dyncreds_status code;
  std::string message;
  std::string field;
  std::string aws_code;
  std::string aws_message;
  std::string request_id;
  int http_status = 0;
};

struct dyncreds_server {
  std::unique_ptr<dyncreds::Server> server;
};

struct dyncreds_engine {
  std::shared_mutex mu;  // shared for calls, exclusive for close
  std::unique_ptr<dyncreds::Host> host;
  dyncreds::Engine* engine = nullptr;  // the host's; null once closed
};

namespace {

using dyncreds::Result;
using dyncreds::Status;

dyncreds_status Report(const Status& s, dyncreds_error** err) {
  if (s.ok()) return DYNCREDS_OK;
  const auto code = static_cast<dyncreds_status>(s.code());
  if (err != nullptr) {
    auto* e = new (std::nothrow) dyncreds_error{code, s.ToString(), s.field(), "", "", "", 0};
    if (e != nullptr && s.aws() != nullptr) {
      e->aws_code = s.aws()->code;
      e->aws_message = s.aws()->message;
      e->request_id = s.aws()->request_id;
      e->http_status = s.aws()->http_status;
    }
    *err = e;
  }
  return code;
}

// Runs `fn` (returning a Status); exceptions become status codes here.
template <typename Fn>
dyncreds_status Guard(dyncreds_error** err, Fn fn) {
  try {
    return Report(fn(), err);
  } catch (const std::bad_alloc&) {
    if (err != nullptr) *err = nullptr;  // no memory for an error object either
    return DYNCREDS_ENOMEM;
  } catch (const std::exception& e) {
    return Report(Status::Internal(std::string("unexpected exception: ") + e.what()), err);
  } catch (...) {
    return Report(Status::Internal("unexpected exception"), err);
  }
}

// The first of `args` (pointer, argument name) that is NULL, as an error.
Status Required(std::initializer_list<std::pair<const void*, const char*>> args) {
  for (const auto& [p, name] : args) {
    if (p == nullptr) return Status::InvalidArgument(name, "must not be NULL");
  }
  return Status();
}

// Copies `s` into a malloc'ed NUL-terminated string for *out.
Status Give(std::string_view s, char** out) {
  char* copy = static_cast<char*>(std::malloc(s.size() + 1));
  if (copy == nullptr) throw std::bad_alloc();
  std::memcpy(copy, s.data(), s.size());
  copy[s.size()] = '\0';
  *out = copy;
  return Status();
}

// Runs `call` on an open engine, under its shared lock.
template <typename Fn>
Status WithEngine(dyncreds_engine* engine, Fn call) {
  Status s = Required({{engine, "engine"}});
  if (!s.ok()) return s;
  std::shared_lock<std::shared_mutex> lock(engine->mu);
  if (!engine->engine) return Status::Unavailable("the engine is closed");
  return call(*engine->engine);
}

// `json` as an object; NULL or "" is an empty one (the C ABI's "no options").
Result<rapidjson::Document> ParseObject(const char* json, const char* what) {
  if (json == nullptr || *json == '\0') {
    rapidjson::Document doc;
    doc.SetObject();
    return doc;
  }
  return dyncreds::jsonread::ParseObject(json, what);
}

// Typed members of an options object, each checked.
class Options {
 public:
  explicit Options(const rapidjson::Document& doc) : doc_(doc) {}

  Status String(const char* key, std::string* out) const {
    const rapidjson::Value* v = Find(key);
    if (v == nullptr) return Status();
    if (!v->IsString()) return Status::InvalidArgument(key, "must be a string");
    *out = std::string(v->GetString(), v->GetStringLength());
    return Status();
  }
  Status Bool(const char* key, bool* out) const {
    const rapidjson::Value* v = Find(key);
    if (v == nullptr) return Status();
    if (!v->IsBool()) return Status::InvalidArgument(key, "must be true or false");
    *out = v->GetBool();
    return Status();
  }
  Status Seconds(const char* key, std::optional<std::chrono::seconds>* out) const {
    const rapidjson::Value* v = Find(key);
    if (v == nullptr) return Status();
    if (v->IsInt64() && v->GetInt64() >= 0) {
      *out = std::chrono::seconds(v->GetInt64());
      return Status();
    }
    if (!v->IsString()) return Status::InvalidArgument(key, "must be seconds or a duration such as \"30m\"");
    Result<std::chrono::seconds> parsed = dyncreds::ParseTtl(v->GetString(), key);
    if (!parsed.ok()) return parsed.status();
    *out = *parsed;
    return Status();
  }
  // Every member must be one of `known`.
  Status OnlyKnown(const std::vector<const char*>& known, const char* what) const {
    for (const auto& m : doc_.GetObject()) {
      const std::string name = m.name.GetString();
      bool found = false;
      for (const char* k : known) found = found || name == k;
      if (!found) return Status::InvalidArgument(name, std::string("unknown option of ") + what);
    }
    return Status();
  }

 private:
  const rapidjson::Value* Find(const char* key) const {
    auto it = doc_.FindMember(key);
    return it == doc_.MemberEnd() || it->value.IsNull() ? nullptr : &it->value;
  }
  const rapidjson::Document& doc_;
};

// Connects the C callbacks to the engine's log and audit functions.
Status ConnectCallbacks(const dyncreds_callbacks* callbacks, dyncreds::HostOptions* options) {
  if (callbacks == nullptr) return Status();
  if (callbacks->version != DYNCREDS_CALLBACKS_VERSION) {
    return Status::InvalidArgument("callbacks.version", "must be DYNCREDS_CALLBACKS_VERSION (" +
                                                            std::to_string(DYNCREDS_CALLBACKS_VERSION) + ")");
  }
  if (callbacks->log_level < DYNCREDS_LOG_DEBUG || callbacks->log_level > DYNCREDS_LOG_ERROR) {
    return Status::InvalidArgument("callbacks.log_level", "must be one of DYNCREDS_LOG_DEBUG..DYNCREDS_LOG_ERROR");
  }
  if (dyncreds_log_fn log = callbacks->log) {
    void* ctx = callbacks->log_ctx;
    options->log_level = static_cast<dyncreds::LogLevel>(callbacks->log_level);
    options->log = [log, ctx](dyncreds::LogLevel level, std::string_view message) {
      log(ctx, static_cast<dyncreds_log_level>(level), std::string(message).c_str());
    };
  }
  if (dyncreds_audit_fn audit = callbacks->audit) {
    void* ctx = callbacks->audit_ctx;
    options->audit = [audit, ctx](const dyncreds::AuditEvent& event) {
      const int rc = audit(ctx, event.ToJson().c_str());
      return rc == 0 ? Status()
                     : Status::Make(dyncreds::ErrorCode::kUnavailable,
                                    "the audit callback returned " + std::to_string(rc));
    };
  }
  return Status();
}

// The host options every handle shares ("store", "store_key", ...); the
// callers check for unknown keys, as each knows a few more.
constexpr std::initializer_list<const char*> kHostOptionKeys = {
    "store", "store_key", "store_key_file", "worker", "poll_interval_ms", "ca_bundle", "audit_file", "audit_fsync",
    "audit_fail_open"};

Status HostOptionsOf(const rapidjson::Document& doc, const dyncreds_callbacks* callbacks,
                     dyncreds::HostOptions* options) {
  Options o(doc);
  std::string key_b64, audit_fsync = "every";
  Status s = o.String("store", &options->store);
  if (s.ok()) s = o.String("store_key", &key_b64);
  if (s.ok()) s = o.String("store_key_file", &options->store_key_file);
  if (s.ok()) s = o.Bool("worker", &options->worker);
  if (s.ok()) s = o.String("ca_bundle", &options->ca_bundle);
  if (s.ok()) s = o.String("audit_file", &options->audit_file);
  if (s.ok()) s = o.String("audit_fsync", &audit_fsync);
  if (s.ok()) s = o.Bool("audit_fail_open", &options->audit_fail_open);
  if (s.ok() && audit_fsync != "every" && audit_fsync != "never") {
    s = Status::InvalidArgument("audit_fsync", "must be \"every\" or \"never\"");
  }
  if (!s.ok()) return s;
  options->audit_fsync = audit_fsync == "never" ? dyncreds::AuditFsync::kNever : dyncreds::AuditFsync::kEvery;
  if (!key_b64.empty() && options->store_key_file.empty()) {
    Result<dyncreds::SecretString> key = dyncreds::ParseStoreKey(key_b64, "store_key");
    if (!key.ok()) return key.status();
    options->store_key = std::move(*key);
  }
  if (auto it = doc.FindMember("poll_interval_ms"); it != doc.MemberEnd()) {
    if (!it->value.IsInt() || it->value.GetInt() <= 0) return Status::InvalidArgument("poll_interval_ms", "must be a positive integer");
    options->poll_interval = std::chrono::milliseconds(it->value.GetInt());
  }
  return ConnectCallbacks(callbacks, options);
}

// `keys` and then `more`, for OnlyKnown.
std::vector<const char*> Keys(std::initializer_list<const char*> more) {
  std::vector<const char*> all(kHostOptionKeys);
  all.insert(all.end(), more);
  return all;
}

Status OpenEngine(dyncreds_engine* handle, const char* options_json, const dyncreds_callbacks* callbacks) {
  Result<rapidjson::Document> doc = ParseObject(options_json, "options");
  if (!doc.ok()) return doc.status();
  Options o(*doc);
  Status s = o.OnlyKnown(Keys({"mount"}), "dyncreds_engine_open");
  dyncreds::HostOptions options;
  if (s.ok()) s = o.String("mount", &options.mount);
  if (s.ok()) s = HostOptionsOf(*doc, callbacks, &options);
  if (!s.ok()) return s;
  Result<std::unique_ptr<dyncreds::Host>> host = dyncreds::Host::Open(std::move(options));
  if (!host.ok()) return host.status();
  handle->host = std::move(*host);
  handle->engine = &handle->host->engine();
  return Status();
}


Status ServerOptionsOf(const char* options_json, const dyncreds_callbacks* callbacks, dyncreds::ServerOptions* out) {
  Result<rapidjson::Document> doc = ParseObject(options_json, "options");
  if (!doc.ok()) return doc.status();
  Options o(*doc);
  Status s = o.OnlyKnown(Keys({"listen_address", "tls_cert_file", "tls_key_file", "threads", "max_connections",
                               "max_body_bytes", "max_header_bytes", "idle_timeout", "root_token_id",
                               "default_mounts"}),
                         "dyncreds_server_start");
  std::string root_token_id;
  std::optional<std::chrono::seconds> idle;
  if (s.ok()) s = HostOptionsOf(*doc, callbacks, &out->host);
  if (s.ok()) s = o.String("listen_address", &out->listen_address);
  if (s.ok()) s = o.String("tls_cert_file", &out->tls_cert_file);
  if (s.ok()) s = o.String("tls_key_file", &out->tls_key_file);
  if (s.ok()) s = o.String("root_token_id", &root_token_id);
  if (s.ok()) s = o.Seconds("idle_timeout", &idle);
  if (!s.ok()) return s;
  if (idle) out->idle_timeout = *idle;
  out->api.root_token_id = dyncreds::SecretString(root_token_id);
  dyncreds::SecureWipe(root_token_id.data(), root_token_id.size());
  const std::pair<const char*, std::size_t*> sizes[] = {{"max_body_bytes", &out->max_body_bytes},
                                                        {"max_header_bytes", &out->max_header_bytes}};
  for (const auto& [key, into] : sizes) {
    auto it = doc->FindMember(key);
    if (it == doc->MemberEnd()) continue;
    if (!it->value.IsUint64() || it->value.GetUint64() == 0) return Status::InvalidArgument(key, "must be a positive integer");
    *into = static_cast<std::size_t>(it->value.GetUint64());
  }
  const std::pair<const char*, unsigned*> counts[] = {{"threads", &out->threads}, {"max_connections", &out->max_connections}};
  for (const auto& [key, into] : counts) {
    auto it = doc->FindMember(key);
    if (it == doc->MemberEnd()) continue;
    if (!it->value.IsUint() || it->value.GetUint() == 0) return Status::InvalidArgument(key, "must be a positive integer");
    *into = it->value.GetUint();
  }
  if (auto it = doc->FindMember("default_mounts"); it != doc->MemberEnd()) {
    if (!it->value.IsArray()) return Status::InvalidArgument("default_mounts", "must be an array of mount paths");
    for (const auto& m : it->value.GetArray()) {
      if (!m.IsString()) return Status::InvalidArgument("default_mounts", "must be an array of mount paths");
      out->api.default_mounts.emplace_back(m.GetString(), m.GetStringLength());
    }
  }
  return Status();
}

// {"method", "path", "query", "headers": {...}, "body", "client_address"},
// parsed in place in `buffer` (the body may carry secret_key).
Result<dyncreds::VaultRequest> VaultRequestOf(const char* request_json, dyncreds::SecretString* buffer) {
  Result<rapidjson::Document> doc = dyncreds::jsonread::ParseObjectInPlace(request_json, "request", buffer);
  if (!doc.ok()) return doc.status();
  Options o(*doc);
  Status s = o.OnlyKnown({"method", "path", "query", "headers", "body", "client_address"}, "dyncreds_server_handle");
  dyncreds::VaultRequest r;
  if (s.ok()) s = o.String("method", &r.method);
  if (s.ok()) s = o.String("path", &r.path);
  if (s.ok()) s = o.String("query", &r.query);
  if (s.ok()) s = o.String("body", &r.body);
  if (s.ok()) s = o.String("client_address", &r.client_address);
  if (!s.ok()) return s;
  if (r.method.empty()) return Status::InvalidArgument("method", "is required");
  if (auto it = doc->FindMember("headers"); it != doc->MemberEnd()) {
    if (!it->value.IsObject()) return Status::InvalidArgument("headers", "must be an object of name: value");
    for (const auto& h : it->value.GetObject()) {
      if (!h.value.IsString()) return Status::InvalidArgument("headers", "values must be strings");
      r.headers.emplace_back(dyncreds::jsonread::String(h.name), dyncreds::jsonread::String(h.value));
    }
  }
  return r;
}

Status Sign(const char* request_json, char** out) {
  // Parsed in place, in a buffer that wipes itself: the secret key and
  // session token in the request leave no copy behind.
  dyncreds::SecretString text;
  Result<rapidjson::Document> doc = dyncreds::jsonread::ParseObjectInPlace(request_json, "request", &text);
  if (!doc.ok()) return doc.status();
  Options o(*doc);
  Status s = o.OnlyKnown({"method", "url", "headers", "body", "payload_hash", "region", "service", "access_key",
                          "secret_key", "session_token", "time"},
                         "dyncreds_sigv4_sign");
  dyncreds::HttpRequest request;
  dyncreds::SigningParams params;
  std::string access_key, secret, token, payload_hash;
  if (s.ok()) s = o.String("method", &request.method);
  if (s.ok()) s = o.String("url", &request.url);
  if (s.ok()) s = o.String("body", &request.body);
  if (s.ok()) s = o.String("payload_hash", &payload_hash);
  if (s.ok()) s = o.String("region", &params.region);
  if (s.ok()) s = o.String("service", &params.service);
  if (s.ok()) s = o.String("access_key", &access_key);
  if (s.ok()) s = o.String("secret_key", &secret);
  if (s.ok()) s = o.String("session_token", &token);
  if (!s.ok()) return s;
  for (const char* required : {"method", "url", "region", "service", "access_key", "secret_key"}) {
    if (!doc->HasMember(required)) return Status::InvalidArgument(required, "is required");
  }
  if (auto it = doc->FindMember("headers"); it != doc->MemberEnd()) {
    if (!it->value.IsObject()) return Status::InvalidArgument("headers", "must be an object of name: value");
    for (const auto& h : it->value.GetObject()) {
      if (!h.value.IsString()) return Status::InvalidArgument("headers", "header values must be strings");
      request.headers.push_back({h.name.GetString(), h.value.GetString()});
    }
  }
  params.time = dyncreds::Clock::System()->Now();
  if (auto it = doc->FindMember("time"); it != doc->MemberEnd()) {
    if (it->value.IsInt64()) {
      const std::int64_t seconds = it->value.GetInt64();
      if (seconds < 0 || seconds > dyncreds::timefmt::kMaxUnixSeconds) {
        return Status::InvalidArgument("time", std::to_string(seconds) +
                                                   " is not a Unix time in seconds from 1970 to 2262-04-11 "
                                                   "(milliseconds? divide by 1000)");
      }
      params.time = std::chrono::system_clock::time_point(std::chrono::seconds(seconds));
    } else if (auto t = it->value.IsString() ? dyncreds::timefmt::ParseIso8601(it->value.GetString()) : std::nullopt) {
      params.time = *t;
    } else {
      return Status::InvalidArgument("time", "must be Unix seconds or RFC 3339 (\"2026-11-21T10:00:00Z\")");
    }
  }
  if (payload_hash == "UNSIGNED-PAYLOAD") {
    // The server learns that the body is unsigned only from this header:
    // it is returned and signed, as the SDKs do.
    params.payload = dyncreds::PayloadHashMode::kUnsignedPayload;
    params.add_content_sha256_header = true;
  } else if (!payload_hash.empty()) {
    params.payload = dyncreds::PayloadHashMode::kPrecomputed;
    params.payload_hash = payload_hash;
  }
  dyncreds::AwsCredentials credentials(access_key, dyncreds::SecretString(secret),
                                       dyncreds::SecretString(token));
  dyncreds::SecureWipe(secret.data(), secret.size());
  dyncreds::SecureWipe(token.data(), token.size());
  static const dyncreds::SigV4Signer signer;
  s = signer.SignHeaders(request, credentials, params);
  if (!s.ok()) return s;
  // The headers signing adds (or sets): the caller adds them to its request.
  rapidjson::StringBuffer buffer(nullptr, 16384);
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("headers");
  w.StartObject();
  for (const char* name : {"X-Amz-Security-Token", "X-Amz-Date", "x-amz-content-sha256", "Authorization"}) {
    if (const std::string* value = request.FindHeader(name)) {
      w.Key(name);
      w.String(value->c_str(), static_cast<rapidjson::SizeType>(value->size()));
    }
  }
  w.EndObject();
  w.EndObject();
  s = Give(std::string_view(buffer.GetString(), buffer.GetSize()), out);
  dyncreds::SecureWipe(const_cast<char*>(buffer.GetString()), buffer.GetSize());  // may hold the session token
  return s;
}

}  // namespace

extern "C" {

const char* dyncreds_version(void) { return DYNCREDS_VERSION_STRING; }

void dyncreds_free(char* s) {
  if (s == nullptr) return;
  dyncreds::SecureWipe(s, std::strlen(s));
  std::free(s);
}

const char* dyncreds_status_name(dyncreds_status status) {
  if (status == DYNCREDS_ENOMEM) return "out_of_memory";
  if (status < DYNCREDS_OK || status > DYNCREDS_EINTERNAL) return "unknown";
  return dyncreds::ErrorCodeName(static_cast<dyncreds::ErrorCode>(status));
}

dyncreds_status dyncreds_error_code(const dyncreds_error* err) { return err ? err->code : DYNCREDS_OK; }
const char* dyncreds_error_message(const dyncreds_error* err) { return err ? err->message.c_str() : ""; }
const char* dyncreds_error_field(const dyncreds_error* err) { return err ? err->field.c_str() : ""; }
const char* dyncreds_error_aws_code(const dyncreds_error* err) { return err ? err->aws_code.c_str() : ""; }
const char* dyncreds_error_aws_message(const dyncreds_error* err) { return err ? err->aws_message.c_str() : ""; }
const char* dyncreds_error_request_id(const dyncreds_error* err) { return err ? err->request_id.c_str() : ""; }
int dyncreds_error_http_status(const dyncreds_error* err) { return err ? err->http_status : 0; }
void dyncreds_error_free(dyncreds_error* err) { delete err; }

dyncreds_status dyncreds_engine_open(dyncreds_engine** out, const char* options_json, dyncreds_error** err) {
  return dyncreds_engine_open_with(out, options_json, nullptr, err);
}

dyncreds_status dyncreds_engine_open_with(dyncreds_engine** out, const char* options_json,
                                          const dyncreds_callbacks* callbacks, dyncreds_error** err) {
  return Guard(err, [&] {
    Status s = Required({{out, "out"}});
    if (!s.ok()) return s;
    auto handle = std::make_unique<dyncreds_engine>();
    s = OpenEngine(handle.get(), options_json, callbacks);
    if (s.ok()) *out = handle.release();
    return s;
  });
}

dyncreds_status dyncreds_engine_close(dyncreds_engine* engine, dyncreds_error** err) {
  return Guard(err, [&] {
    Status s = Required({{engine, "engine"}});
    if (!s.ok()) return s;
    std::unique_lock<std::shared_mutex> lock(engine->mu);
    engine->engine = nullptr;
    engine->host.reset();  // stops the workers, then closes the store and audit file
    return Status();
  });
}

void dyncreds_engine_free(dyncreds_engine* engine) {
  if (engine == nullptr) return;
  dyncreds_engine_close(engine, nullptr);
  delete engine;
}

dyncreds_status dyncreds_config_write(dyncreds_engine* engine, const char* name, const char* json,
                                      dyncreds_error** err) {
  return Guard(err, [&] {
    Status s = Required({{name, "name"}, {json, "json"}});
    if (!s.ok()) return s;
    return WithEngine(engine, [&](dyncreds::Engine& e) {
      if (std::strcmp(name, "root") == 0) return e.WriteRootConfig(json);
      if (std::strcmp(name, "lease") == 0) return e.WriteLeaseConfig(json);
      return Status::InvalidArgument("name", "must be \"root\" or \"lease\"");
    });
  });
}

dyncreds_status dyncreds_config_read(char** out, dyncreds_engine* engine, const char* name, dyncreds_error** err) {
  return Guard(err, [&] {
    Status s = Required({{out, "out"}, {name, "name"}});
    if (!s.ok()) return s;
    return WithEngine(engine, [&](dyncreds::Engine& e) {
      Result<std::string> json = std::strcmp(name, "root") == 0    ? e.ReadRootConfig()
                                 : std::strcmp(name, "lease") == 0 ? e.ReadLeaseConfig()
                                                                   : Result<std::string>(Status::InvalidArgument(
                                                                         "name", "must be \"root\" or \"lease\""));
      return json.ok() ? Give(*json, out) : json.status();
    });
  });
}

dyncreds_status dyncreds_config_rotate_root(char** out, dyncreds_engine* engine, dyncreds_error** err) {
  return Guard(err, [&] {
    Status s = Required({{out, "out"}});
    if (!s.ok()) return s;
    return WithEngine(engine, [&](dyncreds::Engine& e) {
      Result<std::string> key = e.RotateRoot();
      return key.ok() ? Give(*key, out) : key.status();
    });
  });
}

dyncreds_status dyncreds_role_write(dyncreds_engine* engine, const char* name, const char* json, dyncreds_error** err) {
  return Guard(err, [&] {
    Status s = Required({{name, "name"}, {json, "json"}});
    if (!s.ok()) return s;
    return WithEngine(engine, [&](dyncreds::Engine& e) { return e.WriteRole(name, json); });
  });
}

dyncreds_status dyncreds_role_read(char** out, dyncreds_engine* engine, const char* name, dyncreds_error** err) {
  return Guard(err, [&] {
    Status s = Required({{out, "out"}, {name, "name"}});
    if (!s.ok()) return s;
    return WithEngine(engine, [&](dyncreds::Engine& e) {
      Result<dyncreds::Role> role = e.ReadRole(name);
      return role.ok() ? Give(dyncreds::RoleToJson(*role), out) : role.status();
    });
  });
}

dyncreds_status dyncreds_role_list(char** out, dyncreds_engine* engine, dyncreds_error** err) {
  return Guard(err, [&] {
    Status s = Required({{out, "out"}});
    if (!s.ok()) return s;
    return WithEngine(engine, [&](dyncreds::Engine& e) {
      Result<std::vector<std::string>> roles = e.ListRoles();
      return roles.ok() ? Give(dyncreds::StringsToJson(*roles), out) : roles.status();
    });
  });
}

dyncreds_status dyncreds_role_delete(dyncreds_engine* engine, const char* name, int revoke_leases,
                                     dyncreds_error** err) {
  return Guard(err, [&] {
    Status s = Required({{name, "name"}});
    if (!s.ok()) return s;
    return WithEngine(engine, [&](dyncreds::Engine& e) { return e.DeleteRole(name, revoke_leases != 0); });
  });
}

dyncreds_status dyncreds_creds_issue(char** out, dyncreds_engine* engine, const char* role, const char* options_json,
                                     dyncreds_error** err) {
  return Guard(err, [&] {
    Status s = Required({{out, "out"}, {role, "role"}});
    if (!s.ok()) return s;
    Result<rapidjson::Document> doc = ParseObject(options_json, "options");
    if (!doc.ok()) return doc.status();
    Options o(*doc);
    dyncreds::IssueOptions issue;
    std::optional<std::chrono::seconds> usable_timeout;
    s = o.OnlyKnown({"ttl", "role_arn", "role_session_name", "mfa_code", "display_name", "wait_until_usable",
                     "usable_timeout"},
                    "dyncreds_creds_issue");
    if (s.ok()) s = o.Seconds("ttl", &issue.ttl);
    if (s.ok()) s = o.String("role_arn", &issue.role_arn);
    if (s.ok()) s = o.String("role_session_name", &issue.role_session_name);
    if (s.ok()) s = o.String("mfa_code", &issue.mfa_code);
    if (s.ok()) s = o.String("display_name", &issue.display_name);
    if (s.ok()) s = o.Bool("wait_until_usable", &issue.wait_until_usable);
    if (s.ok()) s = o.Seconds("usable_timeout", &usable_timeout);
    if (!s.ok()) return s;
    if (usable_timeout) issue.usable_timeout = *usable_timeout;
    return WithEngine(engine, [&](dyncreds::Engine& e) {
      Result<dyncreds::IssuedCredential> issued = e.Issue(role, issue);
      if (!issued.ok()) return issued.status();
      dyncreds::SecretString json = dyncreds::IssuedCredentialToJson(*issued);
      return Give(json.view(), out);
    });
  });
}

dyncreds_status dyncreds_lease_lookup(char** out, dyncreds_engine* engine, const char* lease_id, dyncreds_error** err) {
  return Guard(err, [&] {
    Status s = Required({{out, "out"}, {lease_id, "lease_id"}});
    if (!s.ok()) return s;
    return WithEngine(engine, [&](dyncreds::Engine& e) {
      Result<dyncreds::Lease> lease = e.Lookup(lease_id);
      return lease.ok() ? Give(dyncreds::LeaseToJson(*lease), out) : lease.status();
    });
  });
}

dyncreds_status dyncreds_lease_list(char** out, dyncreds_engine* engine, const char* prefix, dyncreds_error** err) {
  return Guard(err, [&] {
    Status s = Required({{out, "out"}, {prefix, "prefix"}});
    if (!s.ok()) return s;
    return WithEngine(engine, [&](dyncreds::Engine& e) {
      Result<std::vector<dyncreds::Lease>> leases = e.ListLeases(prefix);
      return leases.ok() ? Give(dyncreds::LeasesToJson(*leases), out) : leases.status();
    });
  });
}

dyncreds_status dyncreds_lease_renew(char** out, dyncreds_engine* engine, const char* lease_id,
                                     int64_t increment_seconds, dyncreds_error** err) {
  return Guard(err, [&] {
    Status s = Required({{out, "out"}, {lease_id, "lease_id"}});
    if (s.ok() && increment_seconds < 0) s = Status::InvalidArgument("increment", "must not be negative");
    if (!s.ok()) return s;
    return WithEngine(engine, [&](dyncreds::Engine& e) {
      Result<dyncreds::Lease> lease = e.Renew(lease_id, std::chrono::seconds(increment_seconds));
      return lease.ok() ? Give(dyncreds::LeaseToJson(*lease), out) : lease.status();
    });
  });
}

dyncreds_status dyncreds_lease_revoke(dyncreds_engine* engine, const char* lease_id, dyncreds_error** err) {
  return Guard(err, [&] {
    Status s = Required({{lease_id, "lease_id"}});
    if (!s.ok()) return s;
    return WithEngine(engine, [&](dyncreds::Engine& e) { return e.Revoke(lease_id); });
  });
}

dyncreds_status dyncreds_lease_revoke_prefix(size_t* out, dyncreds_engine* engine, const char* prefix,
                                             dyncreds_error** err) {
  return Guard(err, [&] {
    Status s = Required({{prefix, "prefix"}});
    if (!s.ok()) return s;
    return WithEngine(engine, [&](dyncreds::Engine& e) {
      Result<std::size_t> revoked = e.RevokePrefix(prefix);
      if (revoked.ok() && out != nullptr) *out = *revoked;
      return revoked.status();
    });
  });
}

dyncreds_status dyncreds_lease_revoke_force(char** out, dyncreds_engine* engine, const char* prefix,
                                            dyncreds_error** err) {
  return Guard(err, [&] {
    Status s = Required({{out, "out"}, {prefix, "prefix"}});
    if (!s.ok()) return s;
    return WithEngine(engine, [&](dyncreds::Engine& e) {
      Result<dyncreds::ForceRevokeReport> report = e.ForceRevoke(prefix);
      return report.ok() ? Give(dyncreds::ForceRevokeReportToJson(*report), out) : report.status();
    });
  });
}

dyncreds_status dyncreds_tidy(char** out, dyncreds_engine* engine, const char* options_json, dyncreds_error** err) {
  return Guard(err, [&] {
    Status s = Required({{out, "out"}});
    if (!s.ok()) return s;
    Result<rapidjson::Document> doc = ParseObject(options_json, "options");
    if (!doc.ok()) return doc.status();
    Options o(*doc);
    dyncreds::TidyOptions tidy;
    s = o.OnlyKnown({"path_prefix", "delete_orphans"}, "dyncreds_tidy");
    if (s.ok()) s = o.String("path_prefix", &tidy.path_prefix);
    if (s.ok()) s = o.Bool("delete_orphans", &tidy.delete_orphans);
    if (!s.ok()) return s;
    return WithEngine(engine, [&](dyncreds::Engine& e) {
      Result<dyncreds::TidyReport> report = e.Tidy(tidy);
      return report.ok() ? Give(dyncreds::TidyReportToJson(*report), out) : report.status();
    });
  });
}

dyncreds_status dyncreds_tick(size_t* out, dyncreds_engine* engine, dyncreds_error** err) {
  return Guard(err, [&] {
    return WithEngine(engine, [&](dyncreds::Engine& e) {
      const std::size_t handled = e.Tick();
      if (out != nullptr) *out = handled;
      return Status();
    });
  });
}

dyncreds_status dyncreds_audit_hmac(char** out, dyncreds_engine* engine, const char* value, dyncreds_error** err) {
  return Guard(err, [&] {
    Status s = Required({{out, "out"}, {value, "value"}});
    if (!s.ok()) return s;
    return WithEngine(engine, [&](dyncreds::Engine& e) {
      Result<std::string> hmac = e.AuditHmac(value);
      return hmac.ok() ? Give(*hmac, out) : hmac.status();
    });
  });
}

dyncreds_status dyncreds_metrics_prometheus(char** out, dyncreds_engine* engine, dyncreds_error** err) {
  return Guard(err, [&] {
    Status s = Required({{out, "out"}});
    if (!s.ok()) return s;
    return WithEngine(engine, [&](dyncreds::Engine& e) {
      Result<dyncreds::MetricsSnapshot> m = e.Metrics();
      return m.ok() ? Give(dyncreds::PrometheusText(*m), out) : m.status();
    });
  });
}

dyncreds_status dyncreds_audit_reopen(dyncreds_engine* engine, dyncreds_error** err) {
  return Guard(err, [&] {
    return WithEngine(engine, [&](dyncreds::Engine&) {
      return engine->host->ReopenAuditFile();
    });
  });
}

void dyncreds_set_caller(const char* caller) {
  // The scope lives as long as the thread: each call replaces the caller.
  static thread_local std::unique_ptr<dyncreds::CallerScope> scope;
  try {
    scope.reset();
    if (caller != nullptr) scope = std::make_unique<dyncreds::CallerScope>(caller);
  } catch (...) {  // out of memory: the thread's calls go without a caller
  }
}

dyncreds_status dyncreds_server_start(dyncreds_server** out, const char* options_json,
                                      const dyncreds_callbacks* callbacks, char** root_token, dyncreds_error** err) {
  return Guard(err, [&] {
    Status s = Required({{out, "out"}});
    if (!s.ok()) return s;
    if (root_token != nullptr) *root_token = nullptr;
    dyncreds::ServerOptions options;
    s = ServerOptionsOf(options_json, callbacks, &options);
    if (!s.ok()) return s;
    dyncreds::SecretString made;
    options.api.on_root_token = [&made](const dyncreds::SecretString& token) { made = token; };
    Result<std::unique_ptr<dyncreds::Server>> server = dyncreds::Server::Start(std::move(options));
    if (!server.ok()) return server.status();
    auto handle = std::make_unique<dyncreds_server>();
    handle->server = std::move(*server);
    if (root_token != nullptr && !made.empty()) Give(made.view(), root_token);
    *out = handle.release();
    return Status();
  });
}

int dyncreds_server_port(const dyncreds_server* server) { return server == nullptr ? 0 : server->server->port(); }

dyncreds_status dyncreds_server_reload(dyncreds_server* server, dyncreds_error** err) {
  return Guard(err, [&] {
    Status s = Required({{server, "server"}});
    return s.ok() ? server->server->Reload() : s;
  });
}

dyncreds_status dyncreds_server_handle(dyncreds_server* server, const char* request_json, char** response_json,
                                       dyncreds_error** err) {
  return Guard(err, [&] {
    Status s = Required({{server, "server"}, {request_json, "request_json"}, {response_json, "response_json"}});
    if (!s.ok()) return s;
    dyncreds::SecretString buffer;
    Result<dyncreds::VaultRequest> request = VaultRequestOf(request_json, &buffer);
    if (!request.ok()) return request.status();
    dyncreds::VaultResponse response = server->server->api().Handle(*request);
    dyncreds::SecureWipe(request->body.data(), request->body.size());
    dyncreds::util::SecretBuffer out;
    rapidjson::Writer<dyncreds::util::SecretBuffer> w(out);
    w.StartObject();
    w.Key("status");
    w.Int(response.status);
    w.Key("content_type");
    w.String(response.content_type.c_str());
    w.Key("body");
    w.String(response.body.view().data(), static_cast<rapidjson::SizeType>(response.body.size()));
    w.EndObject();
    return Give(out.view(), response_json);
  });
}

void dyncreds_server_free(dyncreds_server* server) {
  if (server == nullptr) return;
  try {
    server->server->Stop();
  } catch (...) {  // nothing may cross the boundary; the destructor stops it too
  }
  delete server;
}

dyncreds_status dyncreds_sigv4_sign(char** out, const char* request_json, dyncreds_error** err) {
  return Guard(err, [&] {
    Status s = Required({{out, "out"}, {request_json, "request_json"}});
    if (!s.ok()) return s;
    return Sign(request_json, out);
  });
}

}  // extern "C"
