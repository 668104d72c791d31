// status.h: the outcome of every fallible libdyncreds call.
//
// libdyncreds reports errors as values, in leveldb's style: a function returns
// `Status` (or `Result<T>`, a value or a Status), never throws across its API.
// An OK Status holds no allocation, so success costs nothing.
//
// Errors that came from AWS keep the AWS error code, message, request id and
// HTTP status (`aws()`); input errors name the offending field (`field()`).
// No secret value is ever placed in a Status.
//
// Thread safety: a Status is a plain value; distinct objects may be used from
// different threads, one object needs external synchronization to be mutated.
#ifndef DYNCREDS_STATUS_H_
#define DYNCREDS_STATUS_H_

#include <cassert>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "dyncreds/export.h"

namespace dyncreds {

// One error taxonomy for the C++ API and the C ABI (same numeric values).
enum class ErrorCode : int {
  kOk = 0,
  kInvalidArgument = 1,    // bad input; field() names it
  kNotFound = 2,           // unknown role, lease, entity
  kConflict = 3,           // already exists, delete conflict, limit reached
  kPermissionDenied = 4,   // AWS refused: AccessDenied, bad or expired keys
  kThrottled = 5,          // AWS kept throttling after every retry
  kAwsError = 6,           // any other error reply from AWS
  kTransport = 7,          // network: DNS, connect, TLS, reset, oversized reply
  kTimeout = 8,            // a connect or total timeout expired
  kMalformedResponse = 9,  // the reply could not be understood
  kStore = 10,             // the lease store failed
  kEncryptionKey = 11,     // missing or wrong store encryption key
  kUnavailable = 12,       // the object was closed or is shutting down
  kInternal = 13,          // a bug in libdyncreds
};

// The name of an error code, e.g. "invalid_argument".
DYNCREDS_EXPORT const char* ErrorCodeName(ErrorCode code);

// What AWS said when it refused a request.
struct AwsErrorDetails {
  int http_status = 0;
  std::string type;        // "Sender" or "Receiver", when given
  std::string code;        // e.g. "NoSuchEntity", "Throttling"
  std::string message;     // AWS's own text
  std::string request_id;  // for AWS support and CloudTrail
};

class DYNCREDS_EXPORT Status {
 public:
  Status() noexcept = default;  // OK
  Status(const Status& other);
  Status& operator=(const Status& other);
  Status(Status&&) noexcept;
  Status& operator=(Status&&) noexcept;
  ~Status();

  static Status OK() { return Status(); }
  // `field` names the input that is wrong ("ttl", "policy_document", ...).
  static Status InvalidArgument(std::string field, std::string message);
  static Status NotFound(std::string message);
  static Status Conflict(std::string message);
  static Status Transport(std::string message);
  static Status Timeout(std::string message);
  static Status MalformedResponse(std::string message);
  static Status Store(std::string message);
  static Status EncryptionKey(std::string message);
  static Status Unavailable(std::string message);
  static Status Internal(std::string message);
  // An error reply from AWS; `code` is the classified kind (kPermissionDenied,
  // kNotFound, kThrottled, ...). `message` is our context, AWS's own text stays
  // in `details.message`.
  static Status FromAws(ErrorCode code, std::string message, AwsErrorDetails details);
  static Status Make(ErrorCode code, std::string message);

  bool ok() const noexcept { return rep_ == nullptr; }
  ErrorCode code() const noexcept;
  bool Is(ErrorCode c) const noexcept { return code() == c; }
  const std::string& message() const noexcept;
  const std::string& field() const noexcept;
  // Non-null only for errors that came from an AWS reply.
  const AwsErrorDetails* aws() const noexcept;

  // A copy with "context: " put in front of the message.
  Status WithContext(const std::string& context) const;

  // "invalid_argument: ttl: must be a duration" or, for AWS errors,
  // "aws_error: CreateUser failed: NoSuchEntity: ... (HTTP 404, request id ...)".
  std::string ToString() const;

 private:
  struct Rep;
  explicit Status(Rep* rep) noexcept : rep_(rep) {}
  // Owned; null means OK. A raw pointer so that an OK Status is one word and
  // can be built inline without the definition of Rep.
  Rep* rep_ = nullptr;
};

// Whether the AWS call that failed with `failure` may still have taken, or
// still take, effect: no reply came (timeout, reset, unreadable) or AWS
// failed itself (5xx). False when AWS answered with a refusal.
DYNCREDS_EXPORT bool MayHaveTakenEffect(const Status& failure);

// A value of type T, or the Status that explains why there is none.
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    assert(!status_.ok() && "a Result built from a Status must carry an error");
    if (status_.ok()) status_ = Status::Internal("Result built from an OK status");
  }

  bool ok() const noexcept { return status_.ok(); }
  const Status& status() const& noexcept { return status_; }
  Status status() && { return std::move(status_); }

  // REQUIRES: ok().
  T& value() & { assert(ok()); return *value_; }
  const T& value() const& { assert(ok()); return *value_; }
  T&& value() && { assert(ok()); return std::move(*value_); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace dyncreds

#endif  // DYNCREDS_STATUS_H_
